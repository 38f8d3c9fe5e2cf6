import ResIR

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The bytes of a model file or an external data file, kept alive for as long as any constant borrows a range
/// of them.
///
/// Files are memory-mapped read-only rather than read: the weights of a 100 MB model are then never copied,
/// and pages that no kernel touches are never even loaded. Constants hold this object as the owner of their
/// `TensorBytes`, so the mapping is released when the last weight that lives in it is gone.
final class FileBytes: @unchecked Sendable {
  /// Immutable after `init`; that is what makes sharing across threads sound.
  let bytes: UnsafeRawBufferPointer
  private let release: Release

  private enum Release {
    case unmap
    case deallocate
    case nothing
  }

  private init(bytes: UnsafeRawBufferPointer, release: Release) {
    self.bytes = bytes
    self.release = release
  }

  /// Copies bytes handed over in memory, so that constants can borrow from a buffer with a stable address.
  convenience init(copying source: [UInt8]) {
    guard !source.isEmpty else {
      self.init(bytes: UnsafeRawBufferPointer(start: nil, count: 0), release: .nothing)
      return
    }
    let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: source.count, alignment: TensorBytes.alignment)
    source.withUnsafeBytes { storage.copyMemory(from: $0) }
    self.init(bytes: UnsafeRawBufferPointer(storage), release: .deallocate)
  }

  /// Maps the file at `path` read-only. An empty file yields an empty buffer (mmap refuses length zero).
  static func map(path: String) throws(ModelError) -> FileBytes {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw ModelError("cannot open '\(path)': \(lastErrorText())") }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw ModelError("cannot read '\(path)': \(lastErrorText())") }
    guard (status.st_mode & S_IFMT) == S_IFREG else { throw ModelError("'\(path)' is not a regular file") }
    let size = Int(status.st_size)
    guard size > 0 else { return FileBytes(bytes: UnsafeRawBufferPointer(start: nil, count: 0), release: .nothing) }
    guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
      throw ModelError("cannot map '\(path)': \(lastErrorText())")
    }
    return FileBytes(bytes: UnsafeRawBufferPointer(start: address, count: size), release: .unmap)
  }

  deinit {
    guard let base = bytes.baseAddress else { return }
    switch release {
    case .unmap: munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
    case .deallocate: UnsafeMutableRawPointer(mutating: base).deallocate()
    case .nothing: break
    }
  }

  /// A constant's view of `range`, keeping this file alive for as long as the view exists.
  func borrow(_ range: Range<Int>) -> TensorBytes {
    TensorBytes(borrowing: UnsafeRawBufferPointer(rebasing: bytes[range]), owner: self)
  }

  private static func lastErrorText() -> String {
    String(cString: strerror(errno))
  }
}
