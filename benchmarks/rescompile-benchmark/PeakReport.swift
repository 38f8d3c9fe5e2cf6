import Foundation

/// The result of `rescompile-benchmark peak`: the best and median GFLOP/s over the repetitions, by wall time
/// and by CPU time. The best is the peak (nothing makes an FMA loop faster than the machine; everything else
/// on a shared host makes it slower); the median shows how much the host took away. The CPU-time figures
/// leave out the time other processes held the core, so they stay near the peak on a busy machine.
struct PeakReport: Encodable {
  var threads: Int
  var repeats: Int
  var lanes: Int
  var accumulators: Int
  var bestGFLOPS: Double
  var medianGFLOPS: Double
  var allGFLOPS: [Double]
  var cpuBestGFLOPS: Double
  var cpuMedianGFLOPS: Double
  var cpuAllGFLOPS: [Double]
  var buildISA: String

  enum CodingKeys: String, CodingKey {
    case threads, repeats, lanes, accumulators
    case bestGFLOPS = "best_gflops"
    case medianGFLOPS = "median_gflops"
    case allGFLOPS = "gflops"
    case cpuBestGFLOPS = "cpu_best_gflops"
    case cpuMedianGFLOPS = "cpu_median_gflops"
    case cpuAllGFLOPS = "cpu_gflops"
    case buildISA = "build_isa"
  }

  init(options: PeakOptions, samples: [PeakSample], buildISA: String) {
    threads = options.threads
    repeats = samples.count
    lanes = FMAPeak.lanes
    accumulators = FMAPeak.accumulators
    allGFLOPS = samples.map(\.wall)
    cpuAllGFLOPS = samples.map(\.cpu)
    let wall = SampleStatistics(allGFLOPS)
    let cpu = SampleStatistics(cpuAllGFLOPS)
    bestGFLOPS = wall?.maximum ?? 0
    medianGFLOPS = wall?.median ?? 0
    cpuBestGFLOPS = cpu?.maximum ?? 0
    cpuMedianGFLOPS = cpu?.median ?? 0
    self.buildISA = buildISA
  }

  func rendered(as format: OutputFormat) -> String {
    switch format {
    case .json: return JSONLine.encode(self)
    case .text:
      let threadWord = threads == 1 ? "thread" : "threads"
      return "FMA peak (\(accumulators) x SIMD\(lanes) accumulators, \(threads) \(threadWord), kernels built for "
        + "\(buildISA)) over \(repeats) repeats: by wall time best \(Self.fixed(bestGFLOPS)) GFLOP/s, median "
        + "\(Self.fixed(medianGFLOPS)); by CPU time best \(Self.fixed(cpuBestGFLOPS)), median \(Self.fixed(cpuMedianGFLOPS))\n"
    }
  }

  private static func fixed(_ value: Double) -> String {
    String(format: "%.1f", value)
  }
}
