import Foundation

/// The result of `rescompile-benchmark time`: the keys of `rescompile bench --format json` (DESIGN.md §8:
/// `median_ms`, `min_ms`, `iterations`, `threads`) plus the spread, the load times and every run's time, and
/// the same for process CPU time (`cpu_…`, see `ProcessCPUClock` for why).
struct TimingReport: Encodable {
  var plan: String
  var threads: Int
  var warmup: Int
  var iterations: Int
  var medianMilliseconds: Double
  var minimumMilliseconds: Double
  var maximumMilliseconds: Double
  var lowerQuartileMilliseconds: Double
  var upperQuartileMilliseconds: Double
  var meanMilliseconds: Double
  var loadMilliseconds: Double
  var runnerMilliseconds: Double
  var buildISA: String
  var samplesMilliseconds: [Double]
  var cpuMedianMilliseconds: Double
  var cpuMinimumMilliseconds: Double
  var cpuSamplesMilliseconds: [Double]

  enum CodingKeys: String, CodingKey {
    case plan, threads, warmup, iterations
    case medianMilliseconds = "median_ms"
    case minimumMilliseconds = "min_ms"
    case maximumMilliseconds = "max_ms"
    case lowerQuartileMilliseconds = "q1_ms"
    case upperQuartileMilliseconds = "q3_ms"
    case meanMilliseconds = "mean_ms"
    case loadMilliseconds = "load_ms"
    case runnerMilliseconds = "runner_ms"
    case buildISA = "build_isa"
    case samplesMilliseconds = "samples_ms"
    case cpuMedianMilliseconds = "cpu_median_ms"
    case cpuMinimumMilliseconds = "cpu_min_ms"
    case cpuSamplesMilliseconds = "cpu_samples_ms"
  }

  /// Nil when there are no samples.
  init?(
    options: TimingOptions, samples: RunSamples, loadMilliseconds: Double, runnerMilliseconds: Double,
    buildISA: String
  ) {
    guard let statistics = SampleStatistics(samples.wall), let cpu = SampleStatistics(samples.cpu) else { return nil }
    plan = options.plan
    threads = options.threads
    warmup = options.warmup
    iterations = statistics.count
    medianMilliseconds = statistics.median
    minimumMilliseconds = statistics.minimum
    maximumMilliseconds = statistics.maximum
    lowerQuartileMilliseconds = statistics.lowerQuartile
    upperQuartileMilliseconds = statistics.upperQuartile
    meanMilliseconds = statistics.mean
    self.loadMilliseconds = loadMilliseconds
    self.runnerMilliseconds = runnerMilliseconds
    self.buildISA = buildISA
    samplesMilliseconds = samples.wall
    cpuMedianMilliseconds = cpu.median
    cpuMinimumMilliseconds = cpu.minimum
    cpuSamplesMilliseconds = samples.cpu
  }

  func rendered(as format: OutputFormat) -> String {
    switch format {
    case .json: return JSONLine.encode(self)
    case .text:
      let threadWord = threads == 1 ? "thread" : "threads"
      return """
        plan: \(plan)
        \(iterations) runs after \(warmup) warm-up, \(threads) \(threadWord), kernels built for \(buildISA)
        median \(Self.ms(medianMilliseconds)), min \(Self.ms(minimumMilliseconds)), \
        max \(Self.ms(maximumMilliseconds)), IQR \(Self.ms(lowerQuartileMilliseconds))–\(Self.ms(upperQuartileMilliseconds))
        process CPU time per run: median \(Self.ms(cpuMedianMilliseconds)), min \(Self.ms(cpuMinimumMilliseconds))
        plan load \(Self.ms(loadMilliseconds)), runner \(Self.ms(runnerMilliseconds))

        """
    }
  }

  private static func ms(_ value: Double) -> String {
    String(format: "%.3f ms", value)
  }
}

/// One JSON object on one line, keys sorted: what the scripts read line by line.
enum JSONLine {
  static func encode<Value: Encodable>(_ value: Value) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(value) else {
      // Encoding plain numbers, strings and arrays cannot fail; a non-finite time would, and is a bug.
      return "{\"error\":\"a measurement could not be encoded as JSON\"}\n"
    }
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}
