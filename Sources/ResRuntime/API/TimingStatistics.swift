/// Summary statistics of repeated timings, in milliseconds: what `rescompile bench` reports and a benchmark
/// script compares with other runtimes. Encoded as JSON with the CLI's keys (`median_ms`, `min_ms`...).
public struct TimingStatistics: Sendable, Hashable, Codable {
  /// Every timed run, in the order they ran.
  public var samples: [Double]
  public var median: Double
  public var minimum: Double
  public var maximum: Double
  public var mean: Double
  /// The 90th percentile, nearest rank: the smallest sample at least 90 % of the samples do not exceed.
  public var p90: Double

  /// Statistics of `samples` (milliseconds); all zero when there are none.
  public init(milliseconds samples: [Double]) {
    self.samples = samples
    let sorted = samples.sorted()
    guard let first = sorted.first, let last = sorted.last else {
      (median, minimum, maximum, mean, p90) = (0, 0, 0, 0, 0)
      return
    }
    let middle = sorted.count / 2
    median = Self.nanosecondPrecision(
      sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2)
    minimum = first
    maximum = last
    mean = Self.nanosecondPrecision(sorted.reduce(0, +) / Double(sorted.count))
    let rank = (sorted.count * 9 + 9) / 10  // ceil(0.9 · n)
    p90 = sorted[max(rank, 1) - 1]
  }

  /// `milliseconds` rounded to whole nanoseconds: the clock's resolution, and short in JSON.
  public static func nanosecondPrecision(_ milliseconds: Double) -> Double {
    (milliseconds * 1e6).rounded() / 1e6
  }

  enum CodingKeys: String, CodingKey {
    case samples = "samples_ms"
    case median = "median_ms"
    case minimum = "min_ms"
    case maximum = "max_ms"
    case mean = "mean_ms"
    case p90 = "p90_ms"
  }
}
