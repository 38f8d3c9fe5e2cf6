#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes files so that a reader (or the user, after a crash) sees either the old file or the complete new
/// one, never a partial write: data goes to a temporary file in the same directory, then `rename` replaces
/// the destination in one step.
package enum AtomicFile {
  package static func replace(_ path: String, with text: String) throws(FileWriteError) {
    try replace(path, with: Array(text.utf8))
  }

  package static func replace(_ path: String, with bytes: [UInt8]) throws(FileWriteError) {
    let temporary = "\(path).tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else { throw FileWriteError(description: "cannot create \(temporary): \(errnoText())") }
    let ok = FileDescriptorWriter.writeAll(bytes, to: fd)
    let closed = close(fd) == 0
    guard ok, closed else {
      let reason = errnoText()
      unlink(temporary)
      throw FileWriteError(description: "cannot write \(temporary): \(reason)")
    }
    guard rename(temporary, path) == 0 else {
      let reason = errnoText()
      unlink(temporary)
      throw FileWriteError(description: "cannot replace \(path): \(reason)")
    }
  }

  private static func errnoText() -> String { String(cString: strerror(errno)) }
}
