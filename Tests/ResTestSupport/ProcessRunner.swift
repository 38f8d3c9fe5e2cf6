import Foundation

/// What a finished child process did.
public struct ProcessResult: Sendable {
  public var status: Int32
  /// True when the process ended by a signal (a crash), which no input may ever cause.
  public var killedBySignal: Bool
  public var stdout: String
  public var stderr: String
  public var seconds: Double
}

/// Runs the built `rescompile` (or any program) the way a user would, for end-to-end CLI tests.
public enum ProcessRunner {
  /// The `rescompile` executable SwiftPM built next to the test bundle, or `$RESCOMPILE_BIN`.
  public static var rescompile: String {
    if let path = ProcessInfo.processInfo.environment["RESCOMPILE_BIN"] { return path }
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directory = bundle.deletingLastPathComponent()
    // On Darwin the test binary sits inside Foo.xctest/Contents/MacOS.
    while directory.path.contains(".xctest") { directory = directory.deletingLastPathComponent() }
    return directory.appendingPathComponent("rescompile").path
  }

  /// Runs `executable` with `arguments`, killing it after `timeout` seconds (a hang is a failure too).
  public static func run(
    _ arguments: [String], executable: String = rescompile, timeout: Double = 60,
    currentDirectory: String? = nil, environment: [String: String]? = nil
  ) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let start = Date()
    try process.run()
    let outData = PipeDrain(out)
    let errData = PipeDrain(err)
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning {
      if Date() > deadline {
        process.terminate()
        break
      }
      usleep(2000)
    }
    process.waitUntilExit()
    return ProcessResult(
      status: process.terminationStatus,
      killedBySignal: process.terminationReason == .uncaughtSignal,
      stdout: outData.text(), stderr: errData.text(),
      seconds: Date().timeIntervalSince(start))
  }
}

/// Reads a pipe on a background thread so a child that writes a lot cannot block on a full pipe.
private final class PipeDrain: @unchecked Sendable {
  private var data = Data()
  private let done = DispatchSemaphore(value: 0)

  init(_ pipe: Pipe) {
    let handle = pipe.fileHandleForReading
    DispatchQueue.global().async {
      self.data = handle.readDataToEndOfFile()
      self.done.signal()
    }
  }

  func text() -> String {
    done.wait()
    return String(decoding: data, as: UTF8.self)
  }
}
