#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import ResPlan

/// Positioned writes into an open file, for `AtomicFile.replace(_:length:fill:)` and for streaming a plan
/// (`PlanFileSink`) into it; and, when the file's blocks are reserved, its bytes mapped as memory.
///
/// Why lend the mapping: the plan writer packs 160 MB of ResNet-50 weights. Packed into a buffer and then
/// `pwrite`n, each byte is written twice and two sets of fresh pages are touched, the buffer's and the page
/// cache's; packed straight into the mapped file, once and one set. On a virtual machine whose host takes
/// back the pages the guest frees (this project's 2-core guest), the first touch of each page is what costs
/// most. Linkers that write large outputs (lld, mold) map them for the same reason.
///
/// The mapping is only offered when every block of the file was allocated up front (`posix_fallocate`): a
/// store into a mapped page the file system cannot back (a full disk under delayed allocation) raises SIGBUS
/// instead of returning an error, so without the reservation the writer falls back to `write(_:at:)`, which
/// reports a full disk as an error.
package final class FileSink: PlanFileSink {
  private let descriptor: Int32
  /// The file's path, for error messages.
  private let path: String
  /// The file's length, with every block allocated; nil when they are not (no mapping is lent then).
  private let reservedLength: Int?
  /// The whole file mapped shared and writable, made on the first `writableBytes` call.
  private var mapping: UnsafeMutableRawBufferPointer?
  /// Whether mapping was tried and failed (then `writableBytes` keeps answering nil).
  private var mappingFailed = false

  init(descriptor: Int32, path: String, reservedLength: Int? = nil) {
    self.descriptor = descriptor
    self.path = path
    self.reservedLength = reservedLength
  }

  deinit { unmap() }

  /// The file's bytes `offset ..< offset + count`, mapped; nil unless the file's blocks were reserved and the
  /// system maps it.
  package func writableBytes(at offset: Int, count: Int) -> UnsafeMutableRawBufferPointer? {
    guard let length = reservedLength, offset >= 0, count >= 0, offset + count <= length else { return nil }
    if mapping == nil && !mappingFailed { mapping = Self.map(descriptor, length: length) }
    guard let mapping else {
      mappingFailed = true
      return nil
    }
    return UnsafeMutableRawBufferPointer(rebasing: mapping[offset..<(offset + count)])
  }

  /// Ends the mapping, if any (the bytes written through it stay in the file).
  package func unmap() {
    guard let mapping else { return }
    munmap(mapping.baseAddress, mapping.count)
    self.mapping = nil
  }

  private static func map(_ descriptor: Int32, length: Int) -> UnsafeMutableRawBufferPointer? {
    guard length > 0,
      let address = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0), address != MAP_FAILED
    else { return nil }
    return UnsafeMutableRawBufferPointer(start: address, count: length)
  }

  /// Writes all of `bytes` at `offset`, retrying short writes.
  package func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(FileWriteError) {
    guard let base = bytes.baseAddress else { return }
    var done = 0
    while done < bytes.count {
      let written = pwrite(descriptor, base + done, bytes.count - done, off_t(offset + done))
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else {
        let reason = written == 0 ? "no bytes written" : AtomicFile.errnoText()
        throw FileWriteError(description: "cannot write \(path): \(reason)")
      }
      done += written
    }
  }
}
