#if canImport(Darwin)
  import Darwin
#elseif canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A file mapped read-only into memory, unmapped when the last reference goes away. The plan's constants are
/// used in place from the mapping (page-aligned, so 64-byte aligned sections stay aligned).
///
/// The mapping is private and read-only: the runtime can never write the file. Truncating the file while it
/// is mapped would make later reads fault, as with any memory-mapped loader; plans are meant to be replaced,
/// not rewritten in place.
final class MappedFile: @unchecked Sendable {
  let bytes: UnsafeRawBufferPointer

  init(path: String) throws(RuntimeError) {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw RuntimeError(.io, "cannot open '\(path)': \(MappedFile.lastError())") }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      throw RuntimeError(.io, "cannot read '\(path)': \(MappedFile.lastError())")
    }
    guard (status.st_mode & S_IFMT) == S_IFREG else {
      throw RuntimeError(.io, "'\(path)' is not a regular file")
    }
    let size = Int(status.st_size)
    guard size > 0 else {
      throw RuntimeError(.invalidPlan, "not a plan: '\(path)' is empty")
    }
    // MAP_FAILED is (void *)-1, spelled out because not every platform's Swift overlay imports the macro.
    let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
    guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
      throw RuntimeError(.io, "cannot map '\(path)': \(MappedFile.lastError())")
    }
    bytes = UnsafeRawBufferPointer(start: address, count: size)
  }

  deinit {
    if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
  }

  private static func lastError() -> String {
    String(cString: strerror(errno))
  }
}
