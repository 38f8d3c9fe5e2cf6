/// Order statistics of a set of run times: the median is what the benchmarks compare (robust to the odd
/// run that another process on a shared machine slowed down), the rest describe the spread.
struct SampleStatistics: Equatable {
  var count: Int
  var median: Double
  var minimum: Double
  var maximum: Double
  /// First and third quartiles (linear interpolation between order statistics, numpy's default).
  var lowerQuartile: Double
  var upperQuartile: Double
  var mean: Double

  /// Nil for no samples.
  init?(_ samples: [Double]) {
    guard !samples.isEmpty else { return nil }
    let sorted = samples.sorted()
    count = sorted.count
    median = SampleStatistics.quantile(sorted, 0.5)
    minimum = sorted[0]
    maximum = sorted[sorted.count - 1]
    lowerQuartile = SampleStatistics.quantile(sorted, 0.25)
    upperQuartile = SampleStatistics.quantile(sorted, 0.75)
    mean = sorted.reduce(0, +) / Double(sorted.count)
  }

  /// The `q` quantile of sorted, non-empty samples: position `q·(n−1)`, interpolated.
  static func quantile(_ sorted: [Double], _ q: Double) -> Double {
    let position = q * Double(sorted.count - 1)
    let below = Int(position.rounded(.down))
    let above = min(below + 1, sorted.count - 1)
    let fraction = position - Double(below)
    return sorted[below] + (sorted[above] - sorted[below]) * fraction
  }
}
