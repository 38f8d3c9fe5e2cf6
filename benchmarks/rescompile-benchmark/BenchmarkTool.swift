import Foundation
import ResKernels
import ResRuntime

/// `rescompile-benchmark`: times compiled plans with the runtime alone, and measures the machine's FMA peak,
/// for the scripts in `benchmarks/` (benchmarks/README.md). It is not a product: users time plans with
/// `rescompile bench`; this tool exists so a driver can keep a plan loaded and interleave it with other
/// systems chunk by chunk (`serve`), and so the layer benchmark can relate GFLOP/s to a peak measured by the
/// same build in the same run (`peak`).
@main
struct BenchmarkTool {
  static func main() {
    let command: BenchmarkCommand
    do {
      command = try BenchmarkCommand.parse(Array(CommandLine.arguments.dropFirst()))
    } catch {
      fail("error: \(error.message)\n\(BenchmarkCommand.usage)", status: 64)
    }
    do {
      try execute(command)
    } catch let error as RuntimeError {
      fail("error: \(error.message)", status: 1)
    } catch let error as UsageError {
      fail("error: \(error.message)", status: 64)
    } catch {
      fail("error: \(error)", status: 1)
    }
  }

  static func execute(_ command: BenchmarkCommand) throws {
    switch command {
    case .help:
      write(BenchmarkCommand.usage)
    case .time(let options, let format):
      let timer = try PlanTimer(path: options.plan, threads: options.threads)
      _ = try timer.time(runs: options.warmup)
      let samples = try timer.time(runs: options.iterations)
      let report = TimingReport(
        options: options, samples: samples, loadMilliseconds: timer.loadMilliseconds,
        runnerMilliseconds: timer.runnerMilliseconds, buildISA: BuildISA.name)
      write(report?.rendered(as: format) ?? "")
    case .serve(let options):
      let timer = try PlanTimer(path: options.plan, threads: options.threads)
      try ServeLoop.run(timer, options: options, buildISA: BuildISA.name, write: write)
    case .peak(let options, let format):
      let trips = FMAPeak.calibratedTrips()
      let samples = (0..<options.repeats).map { _ in FMAPeak.measure(threads: options.threads, trips: trips) }
      write(PeakReport(options: options, samples: samples, buildISA: BuildISA.name).rendered(as: format))
    }
  }

  /// Writes to standard output and flushes at once: a driver waits for each line.
  static func write(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
  }

  static func fail(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
    exit(status)
  }
}
