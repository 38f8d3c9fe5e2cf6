import ArgumentParser
import ResCompiler

/// Turns errors into the CLI's error contract: one line on stderr, `error: FILE: node 'N' (Op): problem`,
/// and exit status 1. Usage errors stay with the argument parser (its own status).
enum Diagnostics {
  static func exitOnModelError<T>(file: String, _ body: () throws(ModelError) -> T) throws -> T {
    do {
      return try body()
    } catch {
      fail("\(file): \(error)")
    }
  }

  static func exitOnFileError<T>(path: String, _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch {
      fail("\(path): \(error)")
    }
  }

  /// Prints one `error:` line (newlines in the message are flattened so it stays one line) and exits 1.
  static func fail(_ message: String) -> Never {
    let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    OutputStream.standardError.write("error: \(oneLine)\n")
    Rescompile.exit(withError: ExitCode.failure)
  }
}
