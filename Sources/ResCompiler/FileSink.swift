#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import ResPlan

/// Positioned writes into an open file of a known length, for `AtomicFile.replace(_:length:fill:)` and for
/// streaming a plan (`PlanFileSink`) into it, from several threads at once; and the file's bytes mapped
/// read-only, so the plan writer can checksum what those threads wrote.
///
/// Why not lend the file as writable memory, as linkers that write large outputs do: on Linux a page of a
/// shared writable mapping is faulted in and zero-filled before the first store lands, and ResNet-50's plan
/// (159 MB) packed that way wrote 15–25 ms slower than packed into small per-thread buffers and `pwrite`n,
/// which copies each page once into a fresh page-cache page (`ParallelSectionFill`). A read-only mapping of
/// pages already written costs no zero fill. And a store through a mapping that meets a full disk is SIGBUS,
/// where `pwrite` returns an error.
package final class FileSink: PlanFileSink {
  private let descriptor: Int32
  /// The file's path, for error messages.
  private let path: String
  /// The file's length.
  private let length: Int
  /// The whole file mapped shared and read-only, made on the first `writtenBytes` call.
  private var mapping: UnsafeRawBufferPointer?
  /// Whether mapping was tried and failed (then `writtenBytes` keeps answering nil).
  private var mappingFailed = false

  /// A sink for the open file `descriptor` (at `path`), `length` bytes long.
  init(descriptor: Int32, path: String, length: Int) {
    self.descriptor = descriptor
    self.path = path
    self.length = length
  }

  deinit { unmap() }

  /// `pwrite` is positioned: threads writing disjoint ranges do not disturb each other.
  package var acceptsConcurrentWrites: Bool { true }

  /// The file's bytes `offset ..< offset + count`, mapped read-only; nil past the file's length or when the
  /// system does not map it.
  package func writtenBytes(at offset: Int, count: Int) -> UnsafeRawBufferPointer? {
    guard offset >= 0, count >= 0, offset <= length - count else { return nil }
    if mapping == nil && !mappingFailed { mapping = Self.map(descriptor, length: length) }
    guard let mapping else {
      mappingFailed = true
      return nil
    }
    return UnsafeRawBufferPointer(rebasing: mapping[offset..<(offset + count)])
  }

  /// Ends the mapping, if any.
  package func unmap() {
    guard let mapping else { return }
    munmap(UnsafeMutableRawPointer(mutating: mapping.baseAddress), mapping.count)
    self.mapping = nil
  }

  private static func map(_ descriptor: Int32, length: Int) -> UnsafeRawBufferPointer? {
    guard length > 0, let address = mmap(nil, length, PROT_READ, MAP_SHARED, descriptor, 0), address != MAP_FAILED
    else { return nil }
    return UnsafeRawBufferPointer(start: address, count: length)
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
