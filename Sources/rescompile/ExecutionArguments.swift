import ArgumentParser
import ResRuntime

/// `--threads N`: how many threads a runner splits the large kernels over (results are the same for any N).
struct ExecutionArguments: ParsableArguments {
  @Option(parsing: .unconditional, help: ArgumentHelp("Threads to run the plan on.", valueName: "N"))
  var threads: Int = 1

  func validate() throws {
    guard (1...Runner.maximumThreads).contains(threads) else {
      throw ValidationError("--threads must be 1 to \(Runner.maximumThreads), not \(threads)")
    }
  }
}
