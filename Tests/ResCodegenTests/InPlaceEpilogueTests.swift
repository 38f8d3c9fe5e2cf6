import ResCodegen
import ResIR
import ResPlan
import ResTestSupport
import Testing

/// Outputs that take the bytes of an input dying at their step (`InPlaceEpilogues`): a channels-last 1×1
/// convolution over its residual, an elementwise step over its full-size operand; and every case that must
/// keep its own bytes.
@Suite struct InPlaceEpilogueTests {
  private static let channelsLast = CodegenOptions(activationLayout: .channelsLast)

  /// `skip = relu(conv0(x))`, `mid = relu(conv1(skip))`, `sum = relu(conv2(mid) + skip)`, `y = conv3(sum)`:
  /// conv2 is a 1×1 whose residual `skip` is read for the last time there. `kernel` and `channels` are conv2's.
  private static func bottleneck(kernel: Int = 1, channels: Int = 8, size: Int = 6, skipReadAfter: Bool = false) throws -> (
    GraphBuilder, outputs: [ValueID]
  ) {
    let b = GraphBuilder()
    let x = b.input("f32[1,16,\(size),\(size)]")
    let relu = Epilogue(activation: .relu)
    let skip = try b.value(
      .conv(convAttributes(kernel: [1, 1], padding: .explicit([0, 0, 0, 0]), epilogue: relu)),
      [x, b.filled("f32[16,16,1,1]", 0.1, name: "w0")], name: "conv0")
    let mid = try b.value(
      .conv(convAttributes(kernel: [1, 1], padding: .explicit([0, 0, 0, 0]), epilogue: relu)),
      [skip, b.filled("f32[\(channels),16,1,1]", 0.2, name: "w1")], name: "conv1")
    let pad = kernel / 2
    let sum = try b.value(
      .conv(
        convAttributes(
          kernel: [kernel, kernel], padding: .explicit([pad, pad, pad, pad]),
          epilogue: Epilogue(residual: true, activation: .relu))),
      [mid, b.filled("f32[16,\(channels),\(kernel),\(kernel)]", 0.3, name: "w2"), b.filled("f32[16]", 1, name: "b2"), skip],
      name: "conv2")
    let y = try b.value(
      .conv(convAttributes(kernel: [1, 1], padding: .explicit([0, 0, 0, 0]))), [sum, b.filled("f32[16,16,1,1]", 0.4, name: "w3")],
      name: "conv3")
    guard skipReadAfter else { return (b, [y]) }
    return (b, [try b.value(.binary(.add), [y, skip], name: "late")])
  }

  private func conv2(_ plan: DecodedPlan) throws -> (output: UInt32, residual: UInt32) {
    let step = try #require(plan.steps.first { $0.name == "conv2" })
    return (step.outputs[0], step.inputs[3])
  }

  private func offset(_ buffer: UInt32, _ plan: DecodedPlan) -> UInt64 {
    plan.buffer(buffer).arenaOffset
  }

  /// A 1×1 over 8 channels (one reduction block of the GEMM) and a 3×3 over 16 on 14×14 (Winograd, whose
  /// output transform adds the residual tile by tile).
  @Test(arguments: [(1, 8, 6), (3, 16, 14)])
  func aConvolutionStoresOverTheResidualItReadsLast(kernel: Int, channels: Int, size: Int) throws {
    let (b, outputs) = try Self.bottleneck(kernel: kernel, channels: channels, size: size)
    let (generated, plan) = try compile(b, outputs: outputs, options: Self.channelsLast)
    let (output, residual) = try conv2(plan)
    #expect(offset(output, plan) == offset(residual, plan))
    #expect(generated.summary.inPlaceOutputCount == 1)
    #expect(plan.buffer(output).layout == .channelsLast)
  }

  /// The residual read again later, a 3×3 window over 8 channels (too few for Winograd: the indirect GEMM)
  /// and a 1×1 reduction longer than one block keep their own bytes; so does a row-major convolution.
  @Test(arguments: [(1, 8, true, true), (3, 8, false, true), (1, 160, false, true), (1, 8, false, false)])
  func otherwiseTheOutputKeepsItsOwnBytes(kernel: Int, channels: Int, skipReadAfter: Bool, isChannelsLast: Bool) throws {
    let (b, outputs) = try Self.bottleneck(kernel: kernel, channels: channels, skipReadAfter: skipReadAfter)
    let options = isChannelsLast ? Self.channelsLast : CodegenOptions(activationLayout: .rowMajor)
    let (_, plan) = try compile(b, outputs: outputs, options: options)
    let (output, residual) = try conv2(plan)
    #expect(offset(output, plan) != offset(residual, plan))
  }

  /// `relu(x) → sigmoid → tanh`: each unary step after the first overwrites its operand; the first reads the
  /// graph input (the caller's bytes) and the last writes the graph output.
  @Test func elementwiseStepsOverwriteADyingOperand() throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,4,5,5]")
    let a = try b.value(.unary(.relu), [x], name: "a")
    let c = try b.value(.unary(.sigmoid), [a], name: "c")
    let d = try b.value(.binary(.mul), [c, b.floats([2], [1])], name: "d")
    let y = try b.value(.unary(.tanh), [d], name: "y")
    let (generated, plan) = try compile(b, outputs: [y])
    #expect(generated.summary.inPlaceOutputCount == 2)
    let steps = plan.steps
    #expect(steps.map(\.name) == ["a", "c", "d", "y"])
    #expect(offset(steps[1].outputs[0], plan) == offset(steps[1].inputs[0], plan))
    #expect(offset(steps[2].outputs[0], plan) == offset(steps[2].inputs[0], plan))
    #expect(plan.buffer(steps[0].inputs[0]).arenaOffset != offset(steps[0].outputs[0], plan))
    #expect(offset(steps[3].outputs[0], plan) != offset(steps[3].inputs[0], plan))
  }

  /// `x·x` squared from one operand, and a broadcast operand: neither is overwritten.
  @Test func aRepeatedOrBroadcastOperandIsNotOverwritten() throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,4,5,5]")
    let a = try b.value(.unary(.relu), [x], name: "a")
    let small = try b.value(.unary(.relu), [b.input("f32[1,4,1,1]", name: "s")], name: "small")
    let squared = try b.value(.binary(.mul), [a, a], name: "squared")
    let scaled = try b.value(.binary(.mul), [small, try b.value(.unary(.tanh), [squared], name: "t")], name: "scaled")
    let (_, plan) = try compile(b, outputs: [try b.value(.unary(.sigmoid), [scaled], name: "y")])
    let squaredStep = try #require(plan.steps.first { $0.name == "squared" })
    #expect(offset(squaredStep.outputs[0], plan) != offset(squaredStep.inputs[0], plan))
    let scaledStep = try #require(plan.steps.first { $0.name == "scaled" })
    #expect(offset(scaledStep.outputs[0], plan) != offset(scaledStep.inputs[0], plan))
    #expect(offset(scaledStep.outputs[0], plan) == offset(scaledStep.inputs[1], plan))
  }
}
