#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import ResPlan

/// Positioned writes into an open file, for `AtomicFile.replace(_:length:fill:)` and for streaming a plan
/// (`PlanFileSink`) into it.
package final class FileSink: PlanFileSink {
  private let descriptor: Int32
  /// The file's path, for error messages.
  private let path: String

  init(descriptor: Int32, path: String) {
    self.descriptor = descriptor
    self.path = path
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
