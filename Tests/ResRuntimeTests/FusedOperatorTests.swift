import Foundation
import ResKernels
import ResPlan
import Testing

@testable import ResRuntime

/// The operators of the three fused forms against naive loops: channel affine with a residual and an
/// activation, LayerNorm of X + residual, and the gated skip with broadcasting; each with the hostile
/// parameters it must refuse when the plan loads.
@Suite struct FusedOperatorTests {
  // MARK: Channel affine with an epilogue

  static func affine(axis: Int64, residual: Bool, activation: Rescompile_Plan_Activation.Kind, alpha: Float = 0)
    -> Rescompile_Plan_Step.OneOf_Params
  {
    var params = Rescompile_Plan_ChannelAffineParams()
    params.axis = axis
    params.epilogue.hasResidual_p = residual
    params.epilogue.activation.kind = activation
    params.epilogue.activation.alpha = alpha
    return .channelAffine(params)
  }

  @Test(arguments: [false, true])
  func channelAffineAddsTheResidualAndActivates(_ residual: Bool) throws {
    var random = SeededGenerator(seed: 41)
    let shape = [2, 3, 5, 7]
    let x = random.floats(210).map { $0 * 3 }
    let skip = random.floats(210)
    let scale = random.floats(3)
    let shift = random.floats(3)
    let inputs =
      [StepOperand(shape, floats: x), StepOperand([3], floats: scale, constant: true), StepOperand([3], floats: shift)]
      + (residual ? [StepOperand(shape, floats: skip)] : [])
    let result = try StepHarness.run(
      .f32ChannelAffine, Self.affine(axis: 1, residual: residual, activation: .leakyRelu, alpha: 0.1),
      inputs: inputs, outputs: [(.f32, shape)])
    let expected = (0..<210).map { i in
      let c = (i / 35) % 3
      let sum = Double(x[i]) * Double(scale[c]) + Double(shift[c]) + (residual ? Double(skip[i]) : 0)
      return sum >= 0 ? sum : 0.1 * sum
    }
    expectClose(result[0], expected, absolute: 2e-6, "residual \(residual)")
  }

  /// A large affine map splits its runs over threads; every thread count gives the same bits.
  /// Channels-last rows of channels against the scale and shift vectors: 5 (one partial vector), 16 and 37
  /// channels, with and without a residual, in place on X, against the per-element definition.
  @Test func channelsLastAffineRowsMatchTheDefinition() {
    var random = SeededGenerator(seed: 43)
    for channels in [5, 16, 37] {
      for hasResidual in [false, true] {
        let positions = 7
        let x = random.floats(positions * channels)
        let residual = random.floats(positions * channels)
        let (scale, shift) = (random.floats(channels), random.floats(channels))
        var y = x
        y.withUnsafeMutableBufferPointer { output in
          residual.withUnsafeBufferPointer { skip in
            ScaleShiftMicrokernel.runChannelsLast(
              UnsafePointer(output.baseAddress!), output.baseAddress!, positions: positions, channels: channels,
              scale: scale, shift: shift, residual: hasResidual ? skip.baseAddress! : nil, activation: .relu)
          }
        }
        let expected = x.indices.map { index -> Float in
          let c = index % channels
          let value = x[index] * scale[c] + shift[c] + (hasResidual ? residual[index] : 0)
          return max(value, 0)
        }
        #expect(y == expected, "\(channels) channels, residual \(hasResidual)")
      }
    }
  }

  @Test func channelAffineIsThreadCountIndependent() throws {
    var random = SeededGenerator(seed: 43)
    let shape = [2, 64, 48, 48]
    let count = shape.reduce(1, *)
    let inputs = [
      StepOperand(shape, floats: random.floats(count)), StepOperand([64], floats: random.floats(64), constant: true),
      StepOperand([64], floats: random.floats(64), constant: true), StepOperand(shape, floats: random.floats(count)),
    ]
    let params = Self.affine(axis: 1, residual: true, activation: .relu)
    let single = try StepHarness.run(.f32ChannelAffine, params, inputs: inputs, outputs: [(.f32, shape)])
    let threaded = try StepHarness.run(.f32ChannelAffine, params, inputs: inputs, outputs: [(.f32, shape)], threads: 3)
    #expect(threaded[0] == single[0])
    #expect(single[0].allSatisfy { $0 >= 0 })
  }

  @Test func channelAffineRefusesHostileEpilogues() {
    let x = StepOperand([2, 3], [1, 2, 3, 4, 5, 6])
    let c = StepOperand([3], [1, 1, 1], constant: true)
    let output: [(ElementType, [Int])] = [(.f32, [2, 3])]
    var withBias = Rescompile_Plan_ChannelAffineParams()
    withBias.axis = 1
    withBias.epilogue.hasBias_p = true
    #expect(
      StepHarness.rejects(
        .f32ChannelAffine, .channelAffine(withBias), inputs: [x, c, c, c], outputs: output, containing: "bias"))
    let residual = Self.affine(axis: 1, residual: true, activation: .none)
    #expect(
      StepHarness.rejects(.f32ChannelAffine, residual, inputs: [x, c, c], outputs: output, containing: "3 inputs"))
    #expect(
      StepHarness.rejects(
        .f32ChannelAffine, residual, inputs: [x, c, c, StepOperand([2, 1], [1, 2])], outputs: output,
        containing: "residual"))
    #expect(
      StepHarness.rejects(
        .f32ChannelAffine, residual, inputs: [x, c, c, StepOperand([2, 3], [1, 2, 3, 4, 5, 6], type: .f64)],
        outputs: output, containing: "element type"))
    var unknown = Rescompile_Plan_ChannelAffineParams()
    unknown.axis = 1
    unknown.epilogue.activation.kind = .UNRECOGNIZED(99)
    #expect(
      StepHarness.rejects(
        .f32ChannelAffine, .channelAffine(unknown), inputs: [x, c, c], outputs: output, containing: "activation"))
  }

  // MARK: LayerNorm of X + residual

  @Test(arguments: [false, true])
  func layerNormNormalizesTheSum(_ withBias: Bool) throws {
    var random = SeededGenerator(seed: 47)
    let x = random.floats(2 * 3 * 20).map { $0 * 2 }
    let skip = random.floats(2 * 3 * 20)
    let scale = random.floats(20)
    let bias = random.floats(20)
    var params = Rescompile_Plan_LayerNormParams()
    params.axis = 2
    params.epsilon = 1e-5
    params.hasBias_p = withBias
    params.hasResidual_p = true
    params.writesStatistics = true
    let inputs =
      [StepOperand([2, 3, 20], floats: x), StepOperand([20], floats: scale, constant: true)]
      + (withBias ? [StepOperand([20], floats: bias, constant: true)] : [])
      + [StepOperand([2, 3, 20], floats: skip)]
    let result = try StepHarness.run(
      .f32LayerNorm, .layerNorm(params), inputs: inputs,
      outputs: [(.f32, [2, 3, 20]), (.f32, [2, 3, 1]), (.f32, [2, 3, 1])])
    var expected: [Double] = []
    var means: [Double] = []
    for row in 0..<6 {
      let values = (0..<20).map { Double(x[row * 20 + $0] + skip[row * 20 + $0]) }
      let mean = values.reduce(0, +) / 20
      let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20
      let inverse = 1 / (variance + 1e-5).squareRoot()
      means.append(mean)
      for (i, value) in values.enumerated() {
        expected.append((value - mean) * inverse * Double(scale[i]) + (withBias ? Double(bias[i]) : 0))
      }
    }
    expectClose(result[0], expected, absolute: 1e-5, "Y")
    expectClose(result[1], means, absolute: 1e-6, "Mean of the sum")
  }

  @Test func layerNormRefusesAMissingOrMisshapenResidual() {
    var params = Rescompile_Plan_LayerNormParams()
    params.axis = 1
    params.epsilon = 1e-5
    params.hasResidual_p = true
    let x = StepOperand([2, 4], [1, 2, 3, 4, 5, 6, 7, 8])
    let scale = StepOperand([4], [1, 1, 1, 1], constant: true)
    #expect(
      StepHarness.rejects(
        .f32LayerNorm, .layerNorm(params), inputs: [x, scale], outputs: [(.f32, [2, 4])], containing: "2 inputs"))
    #expect(
      StepHarness.rejects(
        .f32LayerNorm, .layerNorm(params), inputs: [x, scale, StepOperand([1, 4], [1, 2, 3, 4])],
        outputs: [(.f32, [2, 4])], containing: "residual"))
  }

  // MARK: Gated skip

  static let gatedSkip = Rescompile_Plan_Step.OneOf_Params.gatedSkip(Rescompile_Plan_GatedSkipParams())

  /// Operand shapes that give every row pattern: all full, a per-channel gate, a broadcast skip, scalars.
  static let broadcastCases: [([Int], [Int], [Int], [Int])] = [
    ([2, 3, 40], [2, 3, 40], [2, 3, 40], [2, 3, 40]),
    ([2, 3, 1], [2, 3, 17], [2, 3, 17], [2, 3, 17]),
    ([2, 3, 17], [17], [2, 1, 17], [2, 3, 17]),
    ([1], [4, 5], [4, 1], [4, 5]),
    ([3, 1, 1], [1, 2, 1], [1, 1, 33], [3, 2, 33]),
    ([1, 1], [1], [], [1, 1]),
  ]

  @Test(arguments: broadcastCases)
  func gatedSkipBroadcastsLikeNumpy(_ shapes: ([Int], [Int], [Int], [Int])) throws {
    let (tShape, hShape, xShape, yShape) = shapes
    var random = SeededGenerator(seed: 53)
    let t = random.floats(tShape.reduce(1, *)).map { ($0 + 1) / 2 }
    let h = random.floats(hShape.reduce(1, *)).map { $0 * 2 }
    let x = random.floats(xShape.reduce(1, *)).map { $0 * 2 }
    let result = try StepHarness.run(
      .f32GatedSkip, Self.gatedSkip,
      inputs: [
        StepOperand(tShape, floats: t), StepOperand(hShape, floats: h, constant: true),
        StepOperand(xShape, floats: x),
      ],
      outputs: [(.f32, yShape)])
    let expected = (0..<yShape.reduce(1, *)).map { i in
      let gate = Double(t[NaiveMatMul.broadcastIndex(i, from: yShape, to: tShape)])
      return gate * Double(h[NaiveMatMul.broadcastIndex(i, from: yShape, to: hShape)])
        + (1 - gate) * Double(x[NaiveMatMul.broadcastIndex(i, from: yShape, to: xShape)])
    }
    expectClose(result[0], expected, absolute: 2e-6, "\(tShape) \(hShape) \(xShape)")
  }

  /// Large enough to be split over workers (rows, and columns of one long row): the same bits on any count.
  @Test(arguments: [[8, 48, 1024], [1, 300_000]])
  func gatedSkipIsThreadCountIndependent(_ shape: [Int]) throws {
    var random = SeededGenerator(seed: 59)
    let count = shape.reduce(1, *)
    let inputs = [
      StepOperand(shape, floats: random.floats(count).map { ($0 + 1) / 2 }),
      StepOperand(shape, floats: random.floats(count)), StepOperand(shape, floats: random.floats(count)),
    ]
    let single = try StepHarness.run(.f32GatedSkip, Self.gatedSkip, inputs: inputs, outputs: [(.f32, shape)])
    let threaded = try StepHarness.run(
      .f32GatedSkip, Self.gatedSkip, inputs: inputs, outputs: [(.f32, shape)], threads: 3)
    #expect(threaded[0] == single[0])
    let (t, h, x) = (inputs[0].values, inputs[1].values, inputs[2].values)
    expectClose(single[0], (0..<count).map { t[$0] * h[$0] + (1 - t[$0]) * x[$0] }, absolute: 2e-6)
  }

  @Test func gatedSkipRefusesHostileSteps() {
    let v = StepOperand([2, 3], [1, 2, 3, 4, 5, 6])
    let output: [(ElementType, [Int])] = [(.f32, [2, 3])]
    #expect(
      StepHarness.rejects(
        .f32GatedSkip, Self.gatedSkip, inputs: [v, v, StepOperand([4], [1, 2, 3, 4])], outputs: output,
        containing: "do not broadcast"))
    #expect(
      StepHarness.rejects(
        .f32GatedSkip, Self.gatedSkip, inputs: [v, v, v], outputs: [(.f32, [3, 2])], containing: "Y"))
    #expect(
      StepHarness.rejects(
        .f32GatedSkip, Self.gatedSkip, inputs: [v, StepOperand([2, 3], [1, 2, 3, 4, 5, 6], type: .f64), v],
        outputs: output, containing: "element type"))
    #expect(StepHarness.rejects(.f32GatedSkip, Self.gatedSkip, inputs: [v, v], outputs: output, containing: "2 inputs"))
    #expect(
      StepHarness.rejects(
        .f32GatedSkip, .where(Rescompile_Plan_WhereParams()), inputs: [v, v, v], outputs: output,
        containing: "do not belong"))
  }
}
