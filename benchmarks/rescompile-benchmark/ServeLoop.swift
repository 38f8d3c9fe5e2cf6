import Foundation

/// `rescompile-benchmark serve`: the plan stays loaded while a driver script asks for chunks of timed runs,
/// so the script can interleave this process with other systems' (round-robin chunks: a slow patch of the
/// shared machine then hits every system alike) without reloading or re-warming anything between chunks.
///
/// Protocol, one JSON object per line on standard output:
/// - after loading and warming up: `{"event":"ready","load_ms":…,"runner_ms":…,"warmup_ms":[…],"threads":N,
///   "build_isa":"avx2"}`;
/// - for each line holding a whole number N on standard input:
///   `{"event":"chunk","samples_ms":[… N wall times …],"cpu_samples_ms":[… N process CPU times …]}`;
/// - end of input returns (the process then exits with status 0). A line that is not a count is a usage error.
enum ServeLoop {
  struct Ready: Encodable {
    var event = "ready"
    var loadMilliseconds: Double
    var runnerMilliseconds: Double
    var warmupMilliseconds: [Double]
    var threads: Int
    var buildISA: String

    enum CodingKeys: String, CodingKey {
      case event
      case loadMilliseconds = "load_ms"
      case runnerMilliseconds = "runner_ms"
      case warmupMilliseconds = "warmup_ms"
      case threads
      case buildISA = "build_isa"
    }
  }

  struct Chunk: Encodable {
    var event = "chunk"
    var samplesMilliseconds: [Double]
    var cpuSamplesMilliseconds: [Double]

    enum CodingKeys: String, CodingKey {
      case event
      case samplesMilliseconds = "samples_ms"
      case cpuSamplesMilliseconds = "cpu_samples_ms"
    }
  }

  /// The number of runs a request line asks for, or nil when the line is not a count in range.
  static func requestedRuns(_ line: String) -> Int? {
    let trimmed = line.trimmingCharacters(in: .whitespaces)
    guard let count = Int(trimmed), (1...1_000_000).contains(count) else { return nil }
    return count
  }

  static func run(
    _ timer: PlanTimer, options: TimingOptions, buildISA: String, write: (String) -> Void
  ) throws {
    let warmup = try timer.time(runs: options.warmup)
    write(
      JSONLine.encode(
        Ready(
          loadMilliseconds: timer.loadMilliseconds, runnerMilliseconds: timer.runnerMilliseconds,
          warmupMilliseconds: warmup.wall, threads: options.threads, buildISA: buildISA)))
    while let line = readLine() {
      guard let count = requestedRuns(line) else {
        throw UsageError("serve: expected a number of runs (1 to 1000000) on standard input, got '\(line)'")
      }
      let samples = try timer.time(runs: count)
      write(JSONLine.encode(Chunk(samplesMilliseconds: samples.wall, cpuSamplesMilliseconds: samples.cpu)))
    }
  }
}
