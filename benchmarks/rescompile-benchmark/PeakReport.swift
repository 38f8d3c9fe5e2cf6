import Foundation

/// The result of `rescompile-benchmark peak`: the best and median GFLOP/s over the repetitions. The best is
/// the peak (nothing makes an FMA loop faster than the machine; everything else on a shared host makes it
/// slower); the median shows how much the host took away.
struct PeakReport: Encodable {
  var threads: Int
  var repeats: Int
  var lanes: Int
  var accumulators: Int
  var bestGFLOPS: Double
  var medianGFLOPS: Double
  var allGFLOPS: [Double]
  var buildISA: String

  enum CodingKeys: String, CodingKey {
    case threads, repeats, lanes, accumulators
    case bestGFLOPS = "best_gflops"
    case medianGFLOPS = "median_gflops"
    case allGFLOPS = "gflops"
    case buildISA = "build_isa"
  }

  init(options: PeakOptions, samples: [Double], buildISA: String) {
    threads = options.threads
    repeats = samples.count
    lanes = FMAPeak.lanes
    accumulators = FMAPeak.accumulators
    let statistics = SampleStatistics(samples)
    bestGFLOPS = statistics?.maximum ?? 0
    medianGFLOPS = statistics?.median ?? 0
    allGFLOPS = samples
    self.buildISA = buildISA
  }

  func rendered(as format: OutputFormat) -> String {
    switch format {
    case .json: return JSONLine.encode(self)
    case .text:
      return String(
        format: "FMA peak (%d x SIMD%d accumulators, %d thread%@, kernels built for %@): best %.1f GFLOP/s, median %.1f over %d repeats\n",
        accumulators, lanes, threads, threads == 1 ? "" : "s", buildISA, bestGFLOPS, medianGFLOPS, repeats)
    }
  }
}
