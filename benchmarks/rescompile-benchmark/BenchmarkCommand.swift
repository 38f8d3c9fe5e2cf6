/// What one invocation of `rescompile-benchmark` asks for, parsed from its arguments.
///
/// The tool has no argument-parser dependency (it links only the runtime), so the grammar is kept small:
///
/// ```
/// rescompile-benchmark time PLAN [--threads N] [--warmup N] [--iterations N] [--format text|json]
/// rescompile-benchmark serve PLAN [--threads N] [--warmup N]
/// rescompile-benchmark peak [--threads N] [--repeats N] [--format text|json]
/// ```
enum BenchmarkCommand: Equatable {
  /// Load the plan, warm up, time `iterations` runs and print one report (the JSON of `rescompile bench`).
  case time(TimingOptions, format: OutputFormat)
  /// Load the plan, warm up, print a ready line, then time chunks of runs on request (`ServeLoop`).
  case serve(TimingOptions)
  /// Measure the FMA peak of this build on this CPU (`FMAPeak`).
  case peak(PeakOptions, format: OutputFormat)
  case help

  static let usage = """
    usage: rescompile-benchmark time PLAN [--threads N] [--warmup N] [--iterations N] [--format text|json]
           rescompile-benchmark serve PLAN [--threads N] [--warmup N]
           rescompile-benchmark peak [--threads N] [--repeats N] [--format text|json]

      time    time ITERATIONS runs of PLAN after WARMUP untimed runs; print median, min, max (ms)
      serve   load PLAN and warm up, print one JSON line, then for each line N on standard input
              time N runs and print one JSON line with their times (benchmarks/compare.py drives this)
      peak    single-precision FMA throughput of this build with register-resident accumulators

    Inputs are seeded (the same every run); outputs go to buffers allocated once.
    """

  /// Parses the arguments after the program name.
  static func parse(_ arguments: [String]) throws(UsageError) -> BenchmarkCommand {
    guard let mode = arguments.first else { throw UsageError("missing mode: time, serve or peak") }
    if mode == "-h" || mode == "--help" || mode == "help" { return .help }
    var reader = OptionReader(Array(arguments.dropFirst()))
    switch mode {
    case "time":
      let plan = try reader.positional("PLAN")
      var options = TimingOptions(plan: plan)
      var format = OutputFormat.text
      while let option = try reader.nextOption() {
        switch option {
        case "--threads": options.threads = try reader.count(for: option, minimum: 1)
        case "--warmup": options.warmup = try reader.count(for: option, minimum: 0)
        case "--iterations": options.iterations = try reader.count(for: option, minimum: 1)
        case "--format": format = try reader.format(for: option)
        default: throw UsageError("unknown option '\(option)' for 'time'")
        }
      }
      return .time(options, format: format)
    case "serve":
      let plan = try reader.positional("PLAN")
      var options = TimingOptions(plan: plan)
      while let option = try reader.nextOption() {
        switch option {
        case "--threads": options.threads = try reader.count(for: option, minimum: 1)
        case "--warmup": options.warmup = try reader.count(for: option, minimum: 0)
        default: throw UsageError("unknown option '\(option)' for 'serve'")
        }
      }
      return .serve(options)
    case "peak":
      var options = PeakOptions()
      var format = OutputFormat.text
      while let option = try reader.nextOption() {
        switch option {
        case "--threads": options.threads = try reader.count(for: option, minimum: 1)
        case "--repeats": options.repeats = try reader.count(for: option, minimum: 1)
        case "--format": format = try reader.format(for: option)
        default: throw UsageError("unknown option '\(option)' for 'peak'")
        }
      }
      return .peak(options, format: format)
    default:
      throw UsageError("unknown mode '\(mode)': expected time, serve or peak")
    }
  }
}

/// How to run and time a plan.
struct TimingOptions: Equatable {
  var plan: String
  var threads = 1
  var warmup = 3
  var iterations = 20
}

/// How to measure the FMA peak.
struct PeakOptions: Equatable {
  var threads = 1
  /// Timed repetitions of the loop (about 0.1 s each); the report gives the best and the median.
  var repeats = 7
}

enum OutputFormat: String, Equatable {
  case text
  case json
}

/// A malformed command line: the message is printed after `error:`, then the usage, with exit status 64.
struct UsageError: Error, Equatable {
  var message: String

  init(_ message: String) {
    self.message = message
  }
}

/// Walks the arguments after the mode: one positional operand, then `--option value` pairs.
private struct OptionReader {
  private var remaining: ArraySlice<String>

  /// The largest count accepted, so that `--iterations 99999999999` is refused rather than run for days.
  static let largestCount = 1_000_000

  init(_ arguments: [String]) {
    remaining = arguments[...]
  }

  mutating func positional(_ name: String) throws(UsageError) -> String {
    guard let first = remaining.first, !first.hasPrefix("-") else { throw UsageError("missing \(name)") }
    remaining = remaining.dropFirst()
    return first
  }

  /// The next option's name, or nil at the end. A second positional operand is an error.
  mutating func nextOption() throws(UsageError) -> String? {
    guard let first = remaining.popFirst() else { return nil }
    guard first.hasPrefix("--") else { throw UsageError("unexpected argument '\(first)'") }
    return first
  }

  mutating func value(for option: String) throws(UsageError) -> String {
    guard let value = remaining.popFirst() else { throw UsageError("\(option) needs a value") }
    return value
  }

  mutating func count(for option: String, minimum: Int) throws(UsageError) -> Int {
    let text = try value(for: option)
    guard let number = Int(text), number >= minimum, number <= OptionReader.largestCount else {
      throw UsageError("\(option) takes a whole number from \(minimum) to \(OptionReader.largestCount), not '\(text)'")
    }
    return number
  }

  mutating func format(for option: String) throws(UsageError) -> OutputFormat {
    let text = try value(for: option)
    guard let format = OutputFormat(rawValue: text) else {
      throw UsageError("\(option) takes text or json, not '\(text)'")
    }
    return format
  }
}
