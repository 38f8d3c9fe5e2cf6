#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

import ResIR
import ResONNX

/// A file holding one tensor: NumPy's `.npy` (what Python users have at hand) or a serialized ONNX
/// `TensorProto` `.pb` (what ONNX's tests store). The extension says which.
public enum TensorFile {
  public enum Format: String, Sendable, CaseIterable {
    case npy
    case onnx = "pb"

    /// The file extension, without the dot.
    public var fileExtension: String { rawValue }
  }

  /// The format a path's extension names, or nil.
  public static func format(of path: String) -> Format? {
    Format.allCases.first { path.hasSuffix("." + $0.fileExtension) }
  }

  /// Reads the tensor at `path`. Throws naming the file when it cannot be read or is not a tensor of a type
  /// rescompile knows.
  public static func read(at path: String) throws(ModelError) -> Constant {
    // A FIFO or a device (a link to /dev/zero) would block or never end; Foundation reported them as a
    // missing permission.
    var status = stat()
    if stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
      throw ModelError("'\(path)' is not a regular file")
    }
    return switch format(of: path) {
    case .npy: try NPYFile.read(at: path)
    case .onnx: try ONNXTensorFile.read(at: path).value
    case nil: throw ModelError("'\(path)' is neither a .npy nor a .pb tensor file")
    }
  }

  /// `value` in `format`; a `.pb` tensor carries `name`.
  public static func serialized(_ value: Constant, name: String, as format: Format) -> [UInt8] {
    switch format {
    case .npy: NPYFile.serialized(value)
    case .onnx: ONNXTensorFile.serialized(value, name: name)
    }
  }
}
