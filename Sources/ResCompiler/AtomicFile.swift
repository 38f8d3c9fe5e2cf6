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
    try replace(path, length: bytes.count) { (file) throws(FileWriteError) in
      try bytes.withUnsafeBytes { raw in
        Result { () throws(FileWriteError) in try file.write(raw, at: 0) }
      }.get()
    }
  }

  /// Replaces `path` with a file of `length` bytes that `fill` writes (positioned writes, in any order; bytes
  /// it does not write read as zero). `check`, when given, reads the complete temporary file (at the path it
  /// is passed) before it replaces `path`; if it throws, nothing is replaced.
  ///
  /// The temporary file gets its whole length reserved before the first write: on ext4 the plan of a
  /// ResNet-50 (160 MB) then writes in ~50 ms instead of 150–700 ms, because the page cache no longer reserves
  /// blocks page by page (delayed allocation), and the `rename` over an existing plan no longer starts the
  /// writeback of blocks still to be allocated. The file is opened for reading too: `fill`'s sink shows the
  /// bytes written so far as a read-only shared mapping (`FileSink.writtenBytes`), which needs it.
  package static func replace(
    _ given: String, length: Int, fill: (FileSink) throws(FileWriteError) -> Void,
    check: ((String) throws(FileWriteError) -> Void)? = nil
  ) throws(FileWriteError) {
    let path = try replaceablePath(given)
    let temporary = "\(path).tmp-\(getpid())"
    let fd = open(temporary, O_RDWR | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else {
      throw FileWriteError(description: "cannot create a file in \(folder(of: path)): \(errnoText())")
    }
    do throws(FileWriteError) {
      try reserve(length, in: fd, path: temporary)
      let sink = FileSink(descriptor: fd, path: temporary, length: length)
      defer { sink.unmap() }
      try fill(sink)
    } catch {
      close(fd)
      unlink(temporary)
      throw error
    }
    guard close(fd) == 0 else {
      let reason = errnoText()
      unlink(temporary)
      throw FileWriteError(description: "cannot write \(temporary): \(reason)")
    }
    do throws(FileWriteError) {
      try check?(temporary)
    } catch {
      unlink(temporary)
      throw error
    }
    guard rename(temporary, path) == 0 else {
      let reason = errnoText()
      unlink(temporary)
      throw FileWriteError(description: "cannot replace \(path): \(reason)")
    }
  }

  /// The path to write for `path`: `path` itself when it does not exist or is a regular file; the file a
  /// symbolic link leads to when that is a regular file (so the link survives, as with `cp`). Anything else
  /// is refused: renaming over a device, a FIFO or a socket would replace the special file itself (as root,
  /// `-o /dev/null` would have replaced /dev/null with a plan), and a directory cannot be replaced.
  static func replaceablePath(_ path: String) throws(FileWriteError) -> String {
    guard !path.isEmpty else { throw FileWriteError(description: "the output path is empty") }
    var status = stat()
    guard lstat(path, &status) == 0 else { return path }
    if status.st_mode & S_IFMT == S_IFLNK {
      guard stat(path, &status) == 0, let resolved = realpath(path, nil) else {
        throw FileWriteError(description: "a symbolic link to a file that cannot be reached; refusing to replace it")
      }
      defer { free(resolved) }
      guard status.st_mode & S_IFMT == S_IFREG else { throw notRegular(status) }
      return String(cString: resolved)
    }
    guard status.st_mode & S_IFMT == S_IFREG else { throw notRegular(status) }
    return path
  }

  private static func notRegular(_ status: stat) -> FileWriteError {
    let kind =
      switch status.st_mode & S_IFMT {
      case S_IFDIR: "a directory"
      case S_IFCHR, S_IFBLK: "a device"
      case S_IFIFO: "a FIFO"
      case S_IFSOCK: "a socket"
      default: "not a regular file"
      }
    return FileWriteError(description: "\(kind), not a regular file; refusing to replace it")
  }

  /// Gives the empty file at `fd` its final `length`: its blocks allocated up front where the file system can
  /// (a failure there is not an error: the writes allocate them, or report a full disk themselves), and its
  /// size set, so the bytes no write touches read as zero.
  private static func reserve(_ length: Int, in fd: Int32, path: String) throws(FileWriteError) {
    guard length > 0 else { return }
    #if canImport(Glibc)
      _ = posix_fallocate(fd, 0, off_t(length))
    #endif
    guard ftruncate(fd, off_t(length)) == 0 else {
      throw FileWriteError(description: "cannot write \(path): \(errnoText())")
    }
  }

  static func errnoText() -> String { String(cString: strerror(errno)) }

  /// The folder `path` is in, as the user wrote it: what an error names when a file cannot be created there
  /// (the temporary file's name would only confuse).
  static func folder(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }
}
