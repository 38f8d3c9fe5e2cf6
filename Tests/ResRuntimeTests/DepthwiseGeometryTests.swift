import ResPlan
import Testing

@testable import ResRuntime

/// Depthwise convolutions of seeded random geometry against the naive convolution, through
/// `ConvOperatorTests.matchesNaiveConvolution` (one thread and three bit-identical, every weight packing): 1–40
/// channels, channel multipliers 1 and 2, windows 1–5 on each axis (half of them a network's square 3x3 or 5x5 at
/// stride 1 or 2), strides 1–3, dilations 1–2, uneven pads,
/// batches of 1 and 2, residuals, activations and computed weights, on output planes up to 24x24. So every
/// depthwise path meets geometries no hand-written case thought of: the channel blocks (outputs up to 14x14),
/// the stride-phase grid and the row tiles.
@Suite struct DepthwiseGeometryTests {
  @Test func randomGeometriesMatchTheNaiveConvolution() throws {
    var random = SeededGenerator(seed: 12345)
    let activations: [Rescompile_Plan_Activation.Kind] = [.none, .relu, .clip, .hardSwish]
    var checked = 0
    while checked < 160 {
      let channels = Int(random.next() % 40) + 1
      let multiplier = random.next() % 4 == 0 ? 2 : 1
      // Every other case has a network's window (square 3x3 or 5x5, equal strides of 1 or 2, no dilation: the
      // grid's and the channel blocks' common case); the rest anything.
      let isNetworkWindow = checked % 2 == 0
      let side = random.next() % 2 == 0 ? 3 : 5
      let step = Int(random.next() % 2) + 1
      let kernel = isNetworkWindow ? [side, side] : [Int(random.next() % 5) + 1, Int(random.next() % 5) + 1]
      let strides = isNetworkWindow ? [step, step] : [Int(random.next() % 3) + 1, Int(random.next() % 3) + 1]
      let dilations = isNetworkWindow ? [1, 1] : [Int(random.next() % 2) + 1, Int(random.next() % 2) + 1]
      let spatial = [Int(random.next() % 48) + 1, Int(random.next() % 48) + 1]
      let windows = (0..<2).map { (kernel[$0] - 1) * dilations[$0] + 1 }
      let pads = (0..<4).map { Int(random.next() % UInt64(windows[$0 % 2])) }
      let spans = (0..<2).map { spatial[$0] + pads[$0] + pads[$0 + 2] }
      guard spans[0] >= windows[0], spans[1] >= windows[1] else { continue }
      let outputs = (0..<2).map { (spans[$0] - windows[$0]) / strides[$0] + 1 }
      guard outputs[0] * outputs[1] <= 576 else { continue }
      let spec = ConvOperatorTests.Case(
        batch: Int(random.next() % 2) + 1, channels: channels, outputChannels: channels * multiplier,
        spatial: spatial, kernel: kernel, strides: strides, dilations: dilations, pads: pads, group: channels,
        bias: random.next() % 2 == 0, residual: random.next() % 2 == 0,
        activation: activations[Int(random.next() % UInt64(activations.count))], constantWeights: random.next() % 4 != 0)
      try ConvOperatorTests().matchesNaiveConvolution(spec)
      checked += 1
    }
  }
}
