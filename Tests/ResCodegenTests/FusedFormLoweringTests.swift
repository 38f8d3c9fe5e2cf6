import ResCodegen
import ResIR
import ResPlan
import ResTestSupport
import Testing

/// The fused forms the optimizer produces: ScaleShift becomes one `f32_channel_affine` step carrying its
/// epilogue, a LayerNormalization with a residual one `f32_layer_norm` step reading it last, and GatedSkip one
/// `f32_gated_skip` step; other float types are converted around them as for every f32 kernel.
@Suite struct FusedFormLoweringTests {
  @Test func scaleShiftCarriesItsResidualAndActivation() throws {
    let b = GraphBuilder()
    let x = b.input("f32[2,3,4,4]")
    let skip = b.input("f32[2,3,4,4]", name: "skip")
    let epilogue = Epilogue(residual: true, activation: .leakyRelu(alpha: 0.2))
    let y = try b.value(
      .scaleShift(axis: 1, epilogue: epilogue),
      [x, b.floats([1, 2, 3], [3], name: "scale"), b.floats([-1, 0, 1], [3], name: "shift"), skip], name: "bn")
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["f32_channel_affine"])
    let step = plan.steps[0]
    #expect(step.name == "bn")
    #expect(step.inputs.count == 4)
    #expect(step.inputs[0] == plan.metadata.inputs[0].buffer)
    #expect(plan.floats(step.inputs[1]) == [1, 2, 3] && plan.floats(step.inputs[2]) == [-1, 0, 1])
    #expect(step.inputs[3] == plan.metadata.inputs[1].buffer)
    let params = step.channelAffine
    #expect(params.axis == 1)
    #expect(!params.epilogue.hasBias_p && params.epilogue.hasResidual_p)
    #expect(params.epilogue.activation.kind == .leakyRelu && params.epilogue.activation.alpha == 0.2)
  }

  /// Without an epilogue the step is the plain affine map BatchNormalization also lowers to.
  @Test func plainScaleShiftHasThreeInputsAndNoActivation() throws {
    let b = GraphBuilder()
    let x = b.input("f32[5,7]")
    let y = try b.value(
      .scaleShift(axis: 1, epilogue: .none), [x, b.filled("f32[7]", 2, name: "scale"), b.filled("f32[7]", 1)])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["f32_channel_affine"])
    #expect(plan.steps[0].inputs.count == 3)
    #expect(plan.steps[0].channelAffine.axis == 1)
    #expect(!plan.steps[0].channelAffine.epilogue.hasResidual_p)
    #expect(plan.steps[0].channelAffine.epilogue.activation.kind == .none)
  }

  @Test func float16ScaleShiftRunsInFloat32() throws {
    let b = GraphBuilder()
    let x = b.input("f16[1,2,3]")
    let c = b.constant(.float16, [1, 2], [2], name: "c")
    let y = try b.value(.scaleShift(axis: 1, epilogue: Epilogue(activation: .relu)), [x, c, c])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["cast", "f32_channel_affine", "cast"])
    let affine = plan.steps[1]
    #expect(plan.buffer(affine.inputs[1]).dtype == .f32 && plan.floats(affine.inputs[1]) == [1, 2])
    #expect(plan.output().dtype == .f16)
  }

  /// The residual is the step's last input, after the bias when there is one, and statistics are still written
  /// only when read.
  @Test(arguments: [false, true])
  func layerNormalizationReadsItsResidualLast(_ withBias: Bool) throws {
    let b = GraphBuilder()
    let x = b.input("f32[2,5,8]")
    let skip = b.input("f32[2,5,8]", name: "skip")
    let bias: ValueID? = withBias ? b.filled("f32[8]", 0.5, name: "bias") : nil
    let results = try b.node(
      .layerNormalization(LayerNormAttributes(axis: 2, epsilon: 1e-6, residual: true)),
      [x, b.filled("f32[8]", 1, name: "scale"), bias, skip], name: "ln")
    let (_, plan) = try compile(b, outputs: [results[0]])
    #expect(plan.kernels == ["f32_layer_norm"])
    let step = plan.steps[0]
    #expect(step.layerNorm.hasResidual_p && step.layerNorm.hasBias_p == withBias)
    #expect(step.layerNorm.axis == 2 && step.layerNorm.epsilon == 1e-6 && !step.layerNorm.writesStatistics)
    #expect(step.inputs.count == (withBias ? 4 : 3))
    #expect(step.inputs.last == plan.metadata.inputs[1].buffer)
    #expect(step.inputs[0] == plan.metadata.inputs[0].buffer)
  }

  @Test func layerNormalizationWithoutResidualIsUnchanged() throws {
    let b = GraphBuilder()
    let x = b.input("f32[2,8]")
    let results = try b.node(
      .layerNormalization(LayerNormAttributes(axis: 1, epsilon: 1e-5)), [x, b.filled("f32[8]", 1, name: "scale")])
    let (_, plan) = try compile(b, outputs: [results[0]])
    #expect(!plan.steps[0].layerNorm.hasResidual_p)
    #expect(plan.steps[0].inputs.count == 2)
  }

  /// T, H and X in order, each at its own (broadcastable) shape: the kernel broadcasts them.
  @Test func gatedSkipIsOneStepOverItsThreeOperands() throws {
    let b = GraphBuilder()
    let t = b.input("f32[4,1]", name: "t")
    let h = b.input("f32[4,6]", name: "h")
    let x = b.input("f32[6]", name: "x")
    let y = try b.value(.gatedSkip, [t, h, x], name: "highway")
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["f32_gated_skip"])
    let step = plan.steps[0]
    #expect(step.name == "highway")
    #expect(step.inputs == plan.metadata.inputs.map(\.buffer))
    #expect(step.inputs.map { plan.shape($0) } == [[4, 1], [4, 6], [6]])
    #expect(plan.output().shape == [4, 6])
    guard case .gatedSkip = step.params else {
      Issue.record("expected GatedSkipParams, got \(String(describing: step.params))")
      return
    }
  }

  @Test func float16GatedSkipIsConvertedAround() throws {
    let b = GraphBuilder()
    let t = b.input("f16[3]", name: "t")
    let y = try b.value(.gatedSkip, [t, t, b.constant(.float16, [1, 2, 3], [3], name: "x")])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["cast", "f32_gated_skip", "cast"])
    let gated = plan.steps[1]
    #expect(gated.inputs.allSatisfy { plan.buffer($0).dtype == .f32 })
    #expect(plan.floats(gated.inputs[2]) == [1, 2, 3])
  }
}
