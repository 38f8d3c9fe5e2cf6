import ResIR

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Tensors whose bytes live in files next to the model (ONNX "external data").
///
/// A model file is untrusted input, and `location` is a path it chooses: it must not be able to make the
/// importer read `/etc/shadow` or a file outside the model's folder through `..` or a symbolic link. So
/// absolute paths are refused, and the resolved real path (every symlink followed) must stay inside the
/// resolved model folder. Each data file is mapped once and its tensors borrow their ranges, as for weights
/// inside the model file.
final class ExternalData {
  /// The folder that `location` paths are relative to; nil when the model came as bytes without one.
  private let baseDirectory: String?
  /// Mapped files by real path. Only looked up, never iterated, so its order cannot reach any output.
  private var files: [String: FileBytes] = [:]

  /// The resolved paths of the external data files read so far, sorted.
  var filePaths: [String] { files.keys.sorted() }

  init(baseDirectory: String?) {
    self.baseDirectory = baseDirectory
  }

  /// The `byteCount` bytes that `tensor`'s `external_data` entries point at.
  func bytes(
    of tensor: Onnx_TensorProto, byteCount: Int, error: (String) -> ModelError
  ) throws(ModelError) -> TensorBytes {
    let reference = try ExternalReference(tensor.externalData, error: error)
    let file = try mappedFile(at: reference.location, error: error)
    let size = file.bytes.count
    guard reference.offset <= size else {
      throw error("external data offset \(reference.offset) is past the end of '\(reference.location)' (\(size) bytes)")
    }
    let available = size - reference.offset
    let fileText = "'\(reference.location)' (\(size) bytes)"
    if let length = reference.length {
      guard length <= available else {
        throw error("external data range \(reference.offset)+\(length) runs past the end of \(fileText)")
      }
      guard length == byteCount else {
        throw error("external data length is \(length) bytes, expected \(byteCount)")
      }
    } else {
      guard byteCount <= available else {
        let held = "holds \(available) after offset \(reference.offset)"
        throw error("\(byteCount) bytes of external data expected, but '\(reference.location)' \(held)")
      }
    }
    return file.borrow(reference.offset..<(reference.offset + byteCount))
  }

  private func mappedFile(at location: String, error: (String) -> ModelError) throws(ModelError) -> FileBytes {
    guard let baseDirectory else {
      throw error("data is in external file '\(location)', but the model was given as bytes without a base directory")
    }
    guard !location.hasPrefix("/") else {
      throw error(
        "external data location '\(location)' is an absolute path; data outside the model's folder is refused")
    }
    guard let folder = Self.realPath(baseDirectory) else {
      throw error("cannot resolve the model's folder '\(baseDirectory)'")
    }
    guard let path = Self.realPath(baseDirectory + "/" + location) else {
      throw error("external data file '\(location)' cannot be opened: \(String(cString: strerror(errno)))")
    }
    guard path != folder else {
      throw error("external data location '\(location)' is the model's folder itself, not a file in it")
    }
    let inside = folder == "/" ? path.hasPrefix("/") : path.hasPrefix(folder + "/")
    guard inside else {
      throw error("external data location '\(location)' resolves to '\(path)', outside the model's folder '\(folder)'")
    }
    if let file = files[path] { return file }
    let file: FileBytes
    do {
      file = try FileBytes.map(path: path)
    } catch let failure {
      throw error("external data file '\(location)': \(failure.message)")
    }
    files[path] = file
    return file
  }

  private static func realPath(_ path: String) -> String? {
    guard !path.utf8.contains(0), let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}

/// The parsed `external_data` key/value entries of one tensor.
private struct ExternalReference {
  var location: String
  var offset: Int
  var length: Int?

  init(_ entries: [Onnx_StringStringEntryProto], error: (String) -> ModelError) throws(ModelError) {
    var location: String?
    var offset = 0
    var length: Int?
    for entry in entries {
      switch entry.key {
      case "location": location = entry.value
      case "offset": offset = try Self.byteCount(entry.value, key: "offset", error: error)
      case "length": length = try Self.byteCount(entry.value, key: "length", error: error)
      default: continue  // "checksum" and tool-specific keys do not change where the bytes are
      }
    }
    guard let location, !location.isEmpty else { throw error("external data has no 'location'") }
    self.location = location
    self.offset = offset
    self.length = length
  }

  private static func byteCount(
    _ text: String, key: String, error: (String) -> ModelError
  ) throws(ModelError) -> Int {
    guard let value = Int(text), value >= 0 else {
      throw error("external data '\(key)' is '\(text)', not a non-negative integer")
    }
    return value
  }
}
