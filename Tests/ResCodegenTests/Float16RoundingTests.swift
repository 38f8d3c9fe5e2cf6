import ResCodegen
import ResIR
import ResPlan
import ResTestSupport
import Testing

/// A cast to float16 and back between f32 kernels becomes one rounding step (`Float16Rounding`), in place where
/// its input dies; and the float16 tensors something else reads keep their narrowing.
@Suite struct Float16RoundingTests {
  /// `x` (f16) → 1×1 conv → 1×1 conv → `y` (f16): the kernels compute in f32, so lowering casts around each.
  private static func chain() throws -> (b: GraphBuilder, first: ValueID, second: ValueID) {
    let b = GraphBuilder()
    let x = b.input("f16[1,2,3,3]")
    let first = try b.value(
      .conv(convAttributes(kernel: [1, 1], padding: .explicit([0, 0, 0, 0]), epilogue: Epilogue(activation: .relu))),
      [x, b.constant(.float16, [1, 2, 3, 4], [2, 2, 1, 1], name: "w0")], name: "first")
    let second = try b.value(
      .conv(convAttributes(kernel: [1, 1], padding: .explicit([0, 0, 0, 0]))),
      [first, b.constant(.float16, [0.5, -1, 2, 0.25], [2, 2, 1, 1], name: "w1")], name: "second")
    return (b, first, second)
  }

  private func roundings(_ plan: DecodedPlan) -> [Rescompile_Plan_Step] {
    plan.steps(.cast).filter(\.cast.roundToFloat16)
  }

  @Test func theCastsBetweenTwoKernelsBecomeOneRoundingInPlace() throws {
    let (b, _, output) = try Self.chain()
    let (generated, plan) = try compile(b, outputs: [output])
    #expect(plan.kernels == ["cast", "f32_conv_nchw_generic", "cast", "f32_conv_nchw_generic", "cast"])
    let (first, rounding, second) = (plan.steps[1], plan.steps[2], plan.steps[3])
    #expect(rounding.cast.roundToFloat16 && rounding.inputs == first.outputs && second.inputs[0] == rounding.outputs[0])
    #expect(plan.buffer(rounding.outputs[0]).dtype == .f32)
    #expect(plan.buffer(rounding.outputs[0]).arenaOffset == plan.buffer(first.outputs[0]).arenaOffset)
    #expect(generated.summary.inPlaceOutputCount == 1)
    let halves = plan.metadata.buffers.indices.filter { plan.metadata.buffers[$0].dtype == .f16 }.map(UInt32.init)
    #expect(halves == [plan.metadata.inputs[0].buffer, plan.metadata.outputs[0].buffer], "only the graph's own")
  }

  /// A graph output keeps its float16 tensor; the next kernel still reads the rounding.
  @Test func aFloat16ResultTheGraphReturnsIsStillNarrowed() throws {
    let (b, first, second) = try Self.chain()
    let (_, plan) = try compile(b, outputs: [second, first])
    #expect(plan.kernels == ["cast", "f32_conv_nchw_generic", "cast", "cast", "f32_conv_nchw_generic", "cast"])
    #expect(roundings(plan).count == 1)
    let narrowing = try #require(plan.steps.first { $0.outputs == [plan.metadata.outputs[1].buffer] })
    #expect(narrowing.kernel == "cast" && !narrowing.cast.roundToFloat16)
    #expect(narrowing.inputs == plan.steps[1].outputs)
  }

  /// A float16 value under another shape (Flatten, a view) is rounded from a view of the f32 result.
  @Test func aViewOfTheFloat16ResultIsRoundedUnderItsShape() throws {
    let b = GraphBuilder()
    let x = b.input("f16[1,2,3,3]")
    let conv = try b.value(
      .conv(convAttributes(kernel: [1, 1], padding: .explicit([0, 0, 0, 0]))),
      [x, b.constant(.float16, [1, 2, 3, 4], [2, 2, 1, 1], name: "w0")], name: "conv")
    let flat = try b.value(.flatten(axis: 1), [conv], name: "flat")
    let y = try b.value(
      .gemm(GemmAttributes(alpha: 1, beta: 1, transA: false, transB: true)),
      [flat, b.constant(.float16, Array(repeating: 0.5, count: 36), [2, 18], name: "w1")], name: "gemm")
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["cast", "f32_conv_nchw_generic", "cast", "f32_gemm_generic", "cast"])
    let rounding = plan.steps[2]
    #expect(rounding.cast.roundToFloat16)
    #expect(plan.shape(rounding.inputs[0]) == [1, 18] && plan.shape(rounding.outputs[0]) == [1, 18])
    #expect(plan.buffer(rounding.inputs[0]).arenaOffset == plan.buffer(plan.steps[1].outputs[0]).arenaOffset)
  }

  /// A model's own Cast to float16 and back is one rounding of its input.
  @Test func aModelsCastPairIsOneRounding() throws {
    let b = GraphBuilder()
    let x = b.input("f32[5,7]")
    let half = try b.value(.cast(to: .float16), [x], name: "half")
    let y = try b.value(.cast(to: .float32), [half], name: "back")
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["cast"])
    #expect(plan.steps[0].cast.roundToFloat16)
    #expect(plan.steps[0].inputs == [plan.metadata.inputs[0].buffer])
    #expect(plan.steps[0].outputs == [plan.metadata.outputs[0].buffer])
  }

  /// Narrowings dropped before a Concat leave its copy steps where `ConcatAliasing` looks for them: the two
  /// float16 operands, narrowed straight into their slabs, are still aliased.
  @Test func aConcatAfterDroppedNarrowingsIsStillAliased() throws {
    let (b, _, second) = try Self.chain()
    let third = try b.value(
      .conv(convAttributes(kernel: [1, 1], padding: .explicit([0, 0, 0, 0]))),
      [second, b.constant(.float16, [1, 0, 0, 1], [2, 2, 1, 1], name: "w2")], name: "third")
    let cat = try b.value(.concat(axis: 1), [second, third], name: "cat")
    let y = try b.value(
      .conv(convAttributes(kernel: [1, 1], padding: .explicit([0, 0, 0, 0]))),
      [cat, b.constant(.float16, Array(repeating: 0.25, count: 8), [2, 4, 1, 1], name: "w3")], name: "last")
    let (generated, plan) = try compile(b, outputs: [y])
    #expect(generated.concats.aliasedBytes == 72 && generated.concats.copiedBytes == 0)
    #expect(!plan.kernels.contains("copy"))
    // The Concat's result is written by its operands' narrowings, not by one cast: the last convolution widens it.
    #expect(roundings(plan).count == 2, "first → second, second → third")
  }

  // MARK: - Must not fire

  /// A float16 value an f16 kernel computed (a sigmoid runs on float16 itself) has no float32 twin to round.
  @Test func aFloat16ResultOfAFloat16KernelIsWidened() throws {
    let b = GraphBuilder()
    let x = b.input("f16[1,2,3,3]")
    let gate = try b.value(.unary(.sigmoid), [x], name: "gate")
    let y = try b.value(
      .conv(convAttributes(kernel: [1, 1], padding: .explicit([0, 0, 0, 0]))),
      [gate, b.constant(.float16, [1, 2, 3, 4], [2, 2, 1, 1], name: "w0")], name: "conv")
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["unary", "cast", "f32_conv_nchw_generic", "cast"])
    #expect(roundings(plan).isEmpty)
  }

  /// A float16 result another float16 kernel also reads keeps its narrowing; the f32 kernel reads the rounding.
  @Test func aFloat16ResultAFloat16KernelAlsoReadsIsStillNarrowed() throws {
    let (b, first, second) = try Self.chain()
    let gate = try b.value(.unary(.sigmoid), [first], name: "gate")
    let (_, plan) = try compile(b, outputs: [second, gate])
    #expect(roundings(plan).count == 1)
    let sigmoid = try #require(plan.steps.first { $0.kernel == "unary" })
    #expect(plan.buffer(sigmoid.inputs[0]).dtype == .f16)
    #expect(plan.steps.contains { $0.kernel == "cast" && $0.outputs == sigmoid.inputs })
  }

  /// Float32 to float64 and back: not float16, a widening that is exact and kept as two casts.
  @Test func castsThroughOtherTypesAreKept() throws {
    let b = GraphBuilder()
    let x = b.input("f32[5,7]")
    let wide = try b.value(.cast(to: .float64), [x], name: "wide")
    let y = try b.value(.cast(to: .float32), [wide], name: "back")
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["cast", "cast"])
    #expect(roundings(plan).isEmpty)
  }
}
