import ResCompiler

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Standard output or standard error: the CLI's only way to print, so that what goes where (dumps on stdout,
/// summaries and errors on stderr) is decided in one place. Writes go straight to the file descriptor, so
/// nothing is left in a buffer when the process exits with an error.
enum OutputStream {
  case standardOutput
  case standardError

  private var descriptor: Int32 {
    switch self {
    case .standardOutput: STDOUT_FILENO
    case .standardError: STDERR_FILENO
    }
  }

  func write(_ text: String) {
    // A closed pipe leaves nothing useful to do with the text.
    _ = FileDescriptorWriter.writeAll(Array(text.utf8), to: descriptor)
  }
}
