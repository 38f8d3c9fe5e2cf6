import ResCodegen
import ResIR
import ResPlan
import ResTestSupport
import Testing

/// BatchNormalization (a channel affine map with scale and shift computed when compiling, or binary steps when
/// its parameters are computed at run time), LayerNormalization and LRN.
@Suite struct NormalizationLoweringTests {
  @Test func batchNormalizationBecomesAChannelAffineStep() throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,2,3,3]")
    let (gamma, beta, mean, variance): ([Float], [Float], [Float], [Float]) = (
      [1, 2], [0.5, -1], [0.1, 0.2], [4, 0.25]
    )
    let epsilon: Float = 1e-5
    let y = try b.value(
      .batchNormalization(epsilon: epsilon),
      [
        x, b.floats(gamma, [2], name: "gamma"), b.floats(beta, [2], name: "beta"), b.floats(mean, [2], name: "mean"),
        b.floats(variance, [2], name: "var"),
      ])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["f32_channel_affine"])
    let step = plan.steps[0]
    #expect(step.channelAffine.axis == 1)
    #expect(step.inputs.count == 3)
    let scale = (0..<2).map { Double(gamma[$0]) / (Double(variance[$0]) + Double(epsilon)).squareRoot() }
    let shift = (0..<2).map { Double(beta[$0]) - Double(mean[$0]) * scale[$0] }
    #expect(plan.floats(step.inputs[1]) == scale.map { Float($0) })
    #expect(plan.floats(step.inputs[2]) == shift.map { Float($0) })
    // The parameters themselves are not stored: only scale and shift are read.
    #expect(plan.constants.count <= 64 + 2 * 4)
  }

  @Test func batchNormalizationWithRunTimeParametersUsesBinarySteps() throws {
    let b = GraphBuilder()
    let x = b.input("f32[2,3,4]")
    let mean = b.input("f32[3]", name: "mean")
    let y = try b.value(
      .batchNormalization(epsilon: 1e-3),
      [
        x, b.filled("f32[3]", 1, name: "gamma"), b.filled("f32[3]", 0, name: "beta"), mean,
        b.filled("f32[3]", 1, name: "var"),
      ])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["binary", "unary", "binary", "binary", "binary", "binary", "binary"])
    #expect(plan.steps.map { $0.binary.kind } == [.add, .add, .div, .mul, .sub, .mul, .add])
    #expect(plan.steps[1].unary.kind == .sqrt)
    // The last two steps broadcast the [3] vectors as [3, 1] over X.
    #expect(plan.shape(plan.steps[5].inputs[1]) == [3, 1])
    #expect(plan.steps[6].outputs == [plan.metadata.outputs[0].buffer])
  }

  @Test(arguments: [false, true])
  func layerNormalizationWritesStatisticsOnlyWhenRead(_ statisticsRead: Bool) throws {
    let b = GraphBuilder()
    let x = b.input("f32[2,5,8]")
    let results = try b.node(
      .layerNormalization(LayerNormAttributes(axis: 2, epsilon: 1e-5)),
      [x, b.filled("f32[8]", 1, name: "scale"), b.filled("f32[8]", 0, name: "bias")])
    let (_, plan) = try compile(b, outputs: statisticsRead ? [results[0], results[2]] : [results[0]])
    let step = try #require(plan.steps(.f32LayerNorm).first)
    #expect(step.layerNorm.axis == 2 && step.layerNorm.epsilon == 1e-5 && step.layerNorm.hasBias_p)
    #expect(step.layerNorm.writesStatistics == statisticsRead)
    #expect(step.outputs.count == (statisticsRead ? 3 : 1))
  }

  @Test func lrnParameters() throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,8,4,4]")
    let y = try b.value(.lrn(LRNAttributes(size: 5, alpha: 1e-4, beta: 0.75, bias: 2)), [x])
    let (_, plan) = try compile(b, outputs: [y])
    let lrn = try #require(plan.steps(.f32LRN).first).lrn
    #expect(lrn.size == 5 && lrn.alpha == 1e-4 && lrn.beta == 0.75 && lrn.bias == 2)
  }
}
