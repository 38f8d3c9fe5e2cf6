import Testing

@testable import rescompile_benchmark

/// The benchmark tool's command line: defaults, every option, and the refusals a driver script relies on
/// (a typo must fail with a usage error, never run a default benchmark).
@Suite struct BenchmarkCommandTests {
  @Test func timeTakesDefaults() throws {
    let command = try BenchmarkCommand.parse(["time", "m.resplan"])
    #expect(command == .time(TimingOptions(plan: "m.resplan", threads: 1, warmup: 3, iterations: 20), format: .text))
  }

  @Test func timeTakesEveryOption() throws {
    let command = try BenchmarkCommand.parse([
      "time", "m.resplan", "--threads", "2", "--warmup", "0", "--iterations", "50", "--format", "json",
    ])
    #expect(command == .time(TimingOptions(plan: "m.resplan", threads: 2, warmup: 0, iterations: 50), format: .json))
  }

  @Test func serveTakesThreadsAndWarmup() throws {
    let command = try BenchmarkCommand.parse(["serve", "m.resplan", "--warmup", "5", "--threads", "2"])
    #expect(command == .serve(TimingOptions(plan: "m.resplan", threads: 2, warmup: 5, iterations: 20)))
  }

  @Test func peakTakesThreadsRepeatsAndFormat() throws {
    #expect(try BenchmarkCommand.parse(["peak"]) == .peak(PeakOptions(threads: 1, repeats: 7), format: .text))
    let command = try BenchmarkCommand.parse(["peak", "--threads", "2", "--repeats", "3", "--format", "json"])
    #expect(command == .peak(PeakOptions(threads: 2, repeats: 3), format: .json))
  }

  @Test func helpIsRecognized() throws {
    for spelling in ["-h", "--help", "help"] {
      #expect(try BenchmarkCommand.parse([spelling]) == .help)
    }
  }

  @Test(arguments: [
    ([], "missing mode"),
    (["bench", "m.resplan"], "unknown mode 'bench'"),
    (["time"], "missing PLAN"),
    (["time", "--threads", "2"], "missing PLAN"),
    (["time", "m.resplan", "extra"], "unexpected argument 'extra'"),
    (["time", "m.resplan", "--threads"], "--threads needs a value"),
    (["time", "m.resplan", "--threads", "0"], "--threads takes a whole number from 1"),
    (["time", "m.resplan", "--iterations", "0"], "--iterations takes a whole number from 1"),
    (["time", "m.resplan", "--warmup", "-1"], "--warmup takes a whole number from 0"),
    (["time", "m.resplan", "--iterations", "99999999999"], "to 1000000"),
    (["time", "m.resplan", "--iterations", "ten"], "not 'ten'"),
    (["time", "m.resplan", "--format", "xml"], "--format takes text or json"),
    (["time", "m.resplan", "--repeats", "3"], "unknown option '--repeats' for 'time'"),
    (["serve", "m.resplan", "--iterations", "3"], "unknown option '--iterations' for 'serve'"),
    (["peak", "m.resplan"], "unexpected argument 'm.resplan'"),
  ])
  func refusesMalformedArguments(arguments: [String], message: String) {
    #expect {
      try BenchmarkCommand.parse(arguments)
    } throws: { error in
      (error as? UsageError)?.message.contains(message) == true
    }
  }
}
