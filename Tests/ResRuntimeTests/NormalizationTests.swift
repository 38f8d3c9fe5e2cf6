import Foundation
import ResPlan
import Testing

@testable import ResRuntime

/// Channel affine, LayerNorm, LRN and Softmax against their definitions.
@Suite struct NormalizationTests {
  @Test func channelAffineScalesEachChannel() throws {
    var params = Rescompile_Plan_ChannelAffineParams()
    params.axis = 1
    let x = StepOperand([2, 3, 2], (0..<12).map(Double.init))
    let scale = StepOperand([3], [1, 2, -1], constant: true)
    let shift = StepOperand([3], [0, 0.5, 10], constant: true)
    let result = try StepHarness.run(.f32ChannelAffine, .channelAffine(params), inputs: [x, scale, shift], outputs: [(.f32, [2, 3, 2])])
    expectClose(result[0], [0, 1, 4.5, 6.5, 6, 5, 6, 7, 16.5, 18.5, 0, -1])
    params.axis = 3
    #expect(
      StepHarness.rejects(
        .f32ChannelAffine, .channelAffine(params), inputs: [x, scale, shift], outputs: [(.f32, [2, 3, 2])],
        containing: "axis"))
  }

  /// The channel axis last (LeViT's BatchNorm1d over `[tokens, C]`): each row of channels against the scale
  /// and shift vectors, 37 channels for a whole vector and a partial one per row.
  @Test func channelAffineAlongTheLastAxis() throws {
    var random = SeededGenerator(seed: 5)
    let (rows, channels) = (5, 37)
    let x = random.floats(rows * channels)
    let scale = random.floats(channels)
    let shift = random.floats(channels)
    var params = Rescompile_Plan_ChannelAffineParams()
    params.axis = 1
    let result = try StepHarness.run(
      .f32ChannelAffine, .channelAffine(params),
      inputs: [
        StepOperand([rows, channels], floats: x), StepOperand([channels], floats: scale, constant: true),
        StepOperand([channels], floats: shift, constant: true),
      ],
      outputs: [(.f32, [rows, channels])])
    let expected = x.indices.map { Double(x[$0] * scale[$0 % channels] + shift[$0 % channels]) }
    #expect(result[0] == expected)
  }

  @Test func layerNormWithStatisticsAndBroadcastScale() throws {
    var random = SeededGenerator(seed: 21)
    let x = random.floats(2 * 3 * 4)
    let scale = random.floats(4)
    let bias = random.floats(3 * 4)
    var params = Rescompile_Plan_LayerNormParams()
    params.axis = 1
    params.epsilon = 1e-3
    params.hasBias_p = true
    params.writesStatistics = true
    let result = try StepHarness.run(
      .f32LayerNorm, .layerNorm(params),
      inputs: [StepOperand([2, 3, 4], floats: x), StepOperand([1, 4], floats: scale, constant: true), StepOperand([3, 4], floats: bias)],
      outputs: [(.f32, [2, 3, 4]), (.f32, [2, 1, 1]), (.f32, [2, 1, 1])])
    var expected: [Double] = []
    var means: [Double] = []
    var deviations: [Double] = []
    for row in 0..<2 {
      let values = x[(row * 12)..<(row * 12 + 12)].map(Double.init)
      let mean = values.reduce(0, +) / 12
      let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 12
      let inverse = 1 / (variance + 1e-3).squareRoot()
      means.append(mean)
      deviations.append(inverse)
      for (i, value) in values.enumerated() {
        expected.append((value - mean) * inverse * Double(scale[i % 4]) + Double(bias[i]))
      }
    }
    expectClose(result[0], expected, absolute: 1e-5, "Y")
    expectClose(result[1], means, absolute: 1e-6, "Mean")
    expectClose(result[2], deviations, absolute: 1e-5, "InvStdDev")
  }

  @Test func lrnAcrossChannels() throws {
    var random = SeededGenerator(seed: 23)
    let x = random.floats(1 * 5 * 2 * 2)
    var params = Rescompile_Plan_LRNParams()
    params.size = 4
    params.alpha = 0.1
    params.beta = 0.75
    params.bias = 2
    let result = try StepHarness.run(.f32LRN, .lrn(params), inputs: [StepOperand([1, 5, 2, 2], floats: x)], outputs: [(.f32, [1, 5, 2, 2])])
    var expected: [Double] = []
    for channel in 0..<5 {
      for position in 0..<4 {
        var sum = 0.0
        for neighbor in max(0, channel - 1)...min(4, channel + 2) {
          sum += Double(x[neighbor * 4 + position]) * Double(x[neighbor * 4 + position])
        }
        expected.append(Double(x[channel * 4 + position]) / pow(2 + 0.1 / 4 * sum, 0.75))
      }
    }
    expectClose(result[0], expected)
  }

  @Test func softmaxOverAnAxisAndCoerced() throws {
    var random = SeededGenerator(seed: 29)
    let x = random.floats(2 * 3 * 4).map { $0 * 5 }
    var params = Rescompile_Plan_SoftmaxParams()
    params.axis = 1
    let byAxis = try StepHarness.run(.f32Softmax, .softmax(params), inputs: [StepOperand([2, 3, 4], floats: x)], outputs: [(.f32, [2, 3, 4])])
    var expected = [Double](repeating: 0, count: 24)
    for outer in 0..<2 {
      for inner in 0..<4 {
        let indices = (0..<3).map { outer * 12 + $0 * 4 + inner }
        let total = indices.map { exp(Double(x[$0])) }.reduce(0, +)
        for index in indices { expected[index] = exp(Double(x[index])) / total }
      }
    }
    expectClose(byAxis[0], expected, absolute: 1e-6)
    params.axis = -2
    params.coerced2D = true
    let coerced = try StepHarness.run(.f32Softmax, .softmax(params), inputs: [StepOperand([2, 3, 4], floats: x)], outputs: [(.f32, [2, 3, 4])])
    for outer in 0..<2 {
      let indices = (outer * 12)..<(outer * 12 + 12)
      let total = indices.map { exp(Double(x[$0])) }.reduce(0, +)
      for index in indices { expected[index] = exp(Double(x[index])) / total }
    }
    expectClose(coerced[0], expected, absolute: 1e-6)
  }
}
