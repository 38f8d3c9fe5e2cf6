import ResIR

/// ResIR's SplitMix64 for tests: the same sequence on every run and platform, so random tests and their data
/// can be reproduced from their seed; plus the float arrays test data is made of.
public struct SeededGenerator: RandomNumberGenerator {
  private var source: SplitMix64

  public init(seed: UInt64) { source = SplitMix64(seed: seed) }

  public mutating func next() -> UInt64 { source.next() }

  /// Floats uniform in `-1...1`.
  public mutating func floats(_ count: Int) -> [Float] {
    (0..<count).map { _ in Float.random(in: -1...1, using: &self) }
  }
}
