import ResRuntime

/// What `rescompile bench --format json` prints: DESIGN.md §8 asks for at least `median_ms`, `min_ms`,
/// `iterations` and `threads`; the rest lets a benchmark script compare runtimes without parsing text.
struct BenchReport: Encodable {
  var file: String
  /// `plan` (loaded from a file) or `model` (imported and compiled in memory).
  var kind: String
  /// How the model was compiled (`-O2`), for a model; the plan's own record of it, for a plan.
  var compileOptions: String
  var threads: Int
  var warmup: Int
  var iterations: Int
  var steps: Int
  var arenaBytes: Int
  var constantBytes: Int
  /// Importing and verifying the model (models only).
  var importMilliseconds: Double?
  /// Optimizing and generating the plan (models only).
  var compileMilliseconds: Double?
  /// Mapping (or copying) the plan, checking and validating it, building its operators.
  var loadMilliseconds: Double
  var timings: TimingStatistics
  /// Per-step times (`--profile`).
  var profile: ProfileReport?

  enum CodingKeys: String, CodingKey {
    case file, kind
    case compileOptions = "compile_options"
    case threads, warmup, iterations, steps
    case arenaBytes = "arena_bytes"
    case constantBytes = "constant_bytes"
    case importMilliseconds = "import_ms"
    case compileMilliseconds = "compile_ms"
    case loadMilliseconds = "load_ms"
    case profile
  }

  /// The timing statistics sit at the top level next to the other keys (`median_ms`, not `timings.median_ms`).
  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(file, forKey: .file)
    try container.encode(kind, forKey: .kind)
    try container.encode(compileOptions, forKey: .compileOptions)
    try container.encode(threads, forKey: .threads)
    try container.encode(warmup, forKey: .warmup)
    try container.encode(iterations, forKey: .iterations)
    try container.encode(steps, forKey: .steps)
    try container.encode(arenaBytes, forKey: .arenaBytes)
    try container.encode(constantBytes, forKey: .constantBytes)
    try container.encodeIfPresent(importMilliseconds, forKey: .importMilliseconds)
    try container.encodeIfPresent(compileMilliseconds, forKey: .compileMilliseconds)
    try container.encode(loadMilliseconds, forKey: .loadMilliseconds)
    try timings.encode(to: encoder)
    try container.encodeIfPresent(profile, forKey: .profile)
  }

  var text: String {
    var setup = [String]()
    if let importMilliseconds { setup.append("imported in " + NumberText.milliseconds(importMilliseconds)) }
    if let compileMilliseconds {
      setup.append("compiled (\(compileOptions)) in " + NumberText.milliseconds(compileMilliseconds))
    }
    setup.append("loaded in " + NumberText.milliseconds(loadMilliseconds))
    let t = timings
    return """
      bench \(file): \(steps) steps, \(threads) thread(s); \(setup.joined(separator: ", "))
        \(warmup) warm-up run(s), \(iterations) timed: median \(NumberText.milliseconds(t.median)), \
      min \(NumberText.milliseconds(t.minimum)), p90 \(NumberText.milliseconds(t.p90)), \
      max \(NumberText.milliseconds(t.maximum)), mean \(NumberText.milliseconds(t.mean))

      """
  }
}
