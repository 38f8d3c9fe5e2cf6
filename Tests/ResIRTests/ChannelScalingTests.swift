import ResIR
import Testing

/// `TensorBytes(scaling:)`: the bytes it computes when read, its comparison without computing them, and its
/// search for a product that overflows, each against the element-by-element definition.
@Suite struct ChannelScalingTests {
  /// `[outer, factors, inner]` floats from a fixed sequence, with negative values and zeros among them.
  private static func source(outer: Int, channels: Int, inner: Int) -> [Float] {
    (0..<(outer * channels * inner)).map { i in Float((i * 37) % 101 - 50) / 7 }
  }

  private static func expected(_ values: [Float], inner: Int, factors: [Double]) -> [Float] {
    values.indices.map { i in Float(Double(values[i]) * factors[(i / inner) % factors.count]) }
  }

  private static func floats(_ bytes: TensorBytes) -> [Float] {
    bytes.withUnsafeBytes { raw in
      (0..<(raw.count / 4)).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
    }
  }

  @Test(arguments: [(1, 3, 4), (2, 3, 5), (1, 64, 4608)])
  func bytesAreEachElementScaledByItsChannelsFactor(outer: Int, channels: Int, inner: Int) {
    let values = Self.source(outer: outer, channels: channels, inner: inner)
    let factors = (0..<channels).map { 0.3 + Double($0) / 3 }
    let scaling = ChannelScaling(source: TensorBytes(copyingScalars: values), inner: inner, factors: factors)
    let scaled = TensorBytes(scaling: scaling)
    #expect(scaled.count == values.count * 4)
    #expect(Self.floats(scaled) == Self.expected(values, inner: inner, factors: factors))
  }

  @Test func orderComparesDescribedBytesLikeMemcmpOfTheComputedOnes() {
    let inner = 4096
    let values = Self.source(outer: 1, channels: 4, inner: inner)
    let factors = [0.5, 1.5, -2, 3]
    let computed = Self.expected(values, inner: inner, factors: factors)
    func described() -> TensorBytes {
      TensorBytes(scaling: ChannelScaling(source: TensorBytes(copyingScalars: values), inner: inner, factors: factors))
    }
    #expect(TensorBytes.order(described(), TensorBytes(copyingScalars: computed)) == 0)
    #expect(TensorBytes.order(described(), described()) == 0)
    // A difference in the third 16 KB block orders as it does between the stored bytes.
    var changed = computed
    changed[3 * inner - 7] = .infinity
    let stored = TensorBytes.order(TensorBytes(copyingScalars: computed), TensorBytes(copyingScalars: changed))
    #expect(stored != 0)
    #expect(TensorBytes.order(described(), TensorBytes(copyingScalars: changed)).signum() == stored.signum())
    #expect(TensorBytes.order(TensorBytes(copyingScalars: changed), described()).signum() == -stored.signum())
    // A prefix orders first.
    #expect(TensorBytes.order(TensorBytes(copyingScalars: Array(computed.prefix(10))), described()) < 0)
  }

  @Test func firstNonFiniteIndexIsTheFirstProductThatOverflowsOrIsNaN() {
    let values: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, -1e30, 1e30, 0, 1]
    let fits = ChannelScaling(source: TensorBytes(copyingScalars: values), inner: 4, factors: [1, 1, 1e8])
    #expect(fits.firstNonFiniteIndex == nil)
    let overflows = ChannelScaling(source: TensorBytes(copyingScalars: values), inner: 4, factors: [1, 1, -1e9])
    #expect(overflows.firstNonFiniteIndex == 8)
    var withNaN = values
    withNaN[5] = .nan
    let nan = ChannelScaling(source: TensorBytes(copyingScalars: withNaN), inner: 4, factors: [1, 1, 1])
    #expect(nan.firstNonFiniteIndex == 5)
    let infiniteFactor = ChannelScaling(
      source: TensorBytes(copyingScalars: values), inner: 4, factors: [1, .infinity, 1])
    #expect(infiniteFactor.firstNonFiniteIndex == 4)
  }
}
