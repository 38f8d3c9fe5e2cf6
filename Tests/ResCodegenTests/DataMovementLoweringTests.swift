import ResCodegen
import ResIR
import ResPlan
import ResTestSupport
import Testing

/// Transpose, Slice, Expand, Concat and Split as strided copies; Gather, Pad, Dropout's mask; views.
@Suite struct DataMovementLoweringTests {
  @Test func transposeReadsThroughPermutedStrides() throws {
    let b = GraphBuilder()
    let y = try b.value(.transpose(perm: [0, 2, 3, 1]), [b.input("f32[1,2,3,4]")])
    let (_, plan) = try compile(b, outputs: [y])
    let copy = try #require(plan.steps(.copy).first).copy
    #expect(copy.shape == [1, 3, 4, 2])
    #expect(copy.srcOffset == 0 && copy.srcStrides == [24, 4, 1, 12])
    #expect(copy.dstOffset == 0 && copy.dstStrides == [24, 8, 2, 1])
  }

  @Test func sliceWithANegativeStep() throws {
    let b = GraphBuilder()
    let y = try b.value(.slice, [b.input("f32[10]"), b.int64s([8]), b.int64s([1]), b.int64s([0]), b.int64s([-3])])
    let (_, plan) = try compile(b, outputs: [y])
    let copy = try #require(plan.steps(.copy).first).copy
    #expect(copy.shape == [3] && copy.srcOffset == 8 && copy.srcStrides == [-3] && copy.dstStrides == [1])
  }

  @Test func sliceOfTwoAxesWithAnOpenEnd() throws {
    let b = GraphBuilder()
    let y = try b.value(
      .slice,
      [b.input("f32[4,6]"), b.int64s([1, 1]), b.int64s([3, Int64.max]), b.int64s([0, -1]), b.int64s([1, 2])])
    let (_, plan) = try compile(b, outputs: [y])
    let copy = try #require(plan.steps(.copy).first).copy
    #expect(copy.shape == [2, 3] && copy.srcOffset == 7 && copy.srcStrides == [6, 2])
  }

  @Test func sliceBoundsComputedAtRunTimeAreAnError() throws {
    let b = GraphBuilder()
    let starts = b.input("i64[1]", name: "starts")
    let y = try b.value(.slice, [b.input("f32[10]"), starts, b.int64s([5])], name: "dynamic_slice")
    let error = try #require(compileError(b, outputs: [y]))
    #expect(error.node == "dynamic_slice")
  }

  @Test func expandBroadcastsWithZeroStrides() throws {
    let b = GraphBuilder()
    let y = try b.value(.expand, [b.input("f32[3,1]"), b.int64s([2, 3, 4])])
    let (_, plan) = try compile(b, outputs: [y])
    let copy = try #require(plan.steps(.copy).first).copy
    #expect(copy.shape == [2, 3, 4] && copy.srcStrides == [0, 1, 0] && copy.dstStrides == [12, 4, 1])
  }

  /// One copy per input into its slab; the output's lifetime starts at the first copy.
  @Test func concatCopiesEachInputToItsOffset() throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,2,4]")
    let first = try b.value(.unary(.relu), [x], name: "a")
    let second = try b.value(.unary(.sigmoid), [b.input("f32[1,3,4]", name: "z")], name: "b")
    let y = try b.value(.concat(axis: 1), [first, second], name: "cat")
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["unary", "unary", "copy", "copy"])
    let copies = plan.steps(.copy)
    #expect(copies.map(\.copy.dstOffset) == [0, 8])
    #expect(copies.allSatisfy { $0.copy.dstStrides == [20, 4, 1] })
    #expect(copies.map { $0.copy.shape } == [[1, 2, 4], [1, 3, 4]])
    let output = plan.metadata.outputs[0].buffer
    #expect(copies.allSatisfy { $0.outputs == [output] })
    #expect(PlanValidation.lifetimes(plan.metadata)[Int(output)]?.lowerBound == 3)
  }

  @Test func splitCopiesEachOutputFromItsOffset() throws {
    let b = GraphBuilder()
    let results = try b.node(.split(axis: 0, sizes: [2, 4]), [b.input("f32[6,4]")])
    let (_, plan) = try compile(b, outputs: results)
    let copies = plan.steps(.copy).map(\.copy)
    #expect(copies.map(\.srcOffset) == [0, 8])
    #expect(copies.map(\.shape) == [[2, 4], [4, 4]])
  }

  @Test func splitCopiesOnlyTheOutputsThatAreRead() throws {
    let b = GraphBuilder()
    let results = try b.node(.split(axis: 1, sizes: [1, 3]), [b.input("f32[2,4]")])
    let (_, plan) = try compile(b, outputs: [results[1]])
    #expect(plan.steps(.copy).map(\.copy.srcOffset) == [1])
  }

  @Test func gatherIndicesBecomeInt64() throws {
    let b = GraphBuilder()
    let y = try b.value(.gather(axis: 1), [b.input("f32[2,5]"), b.constant(.int32, [4, 0], [2])])
    let (_, plan) = try compile(b, outputs: [y])
    let step = try #require(plan.steps(.gather).first)
    #expect(step.gather.axis == 1)
    #expect(plan.buffer(step.inputs[1]).dtype == .i64 && plan.int64s(step.inputs[1]) == [4, 0])
  }

  @Test func gatherWithRunTimeInt32IndicesCastsThem() throws {
    let b = GraphBuilder()
    let y = try b.value(.gather(axis: 0), [b.input("f32[5,2]"), b.input("i32[3]", name: "i")])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.kernels == ["cast", "gather"])
    #expect(plan.buffer(plan.steps[1].inputs[1]).dtype == .i64)
  }

  @Test func constantPadWithoutAValueReadsZero() throws {
    let b = GraphBuilder()
    let y = try b.value(.pad(mode: .constant, pads: [0, 1, 0, 2]), [b.input("f32[2,3]")])
    let (_, plan) = try compile(b, outputs: [y])
    let step = try #require(plan.steps(.pad).first)
    #expect(step.pad.mode == .constant && step.pad.pads == [0, 1, 0, 2])
    #expect(step.inputs.count == 2 && plan.floats(step.inputs[1]) == [0])
    #expect(plan.output().shape == [2, 6])
  }

  @Test func reflectPadReadsOnlyTheData() throws {
    let b = GraphBuilder()
    let y = try b.value(.pad(mode: .reflect, pads: [0, 1, 0, 1]), [b.input("f32[2,3]")])
    let (_, plan) = try compile(b, outputs: [y])
    let step = try #require(plan.steps(.pad).first)
    #expect(step.pad.mode == .reflect && step.inputs.count == 1)
  }

  @Test func reshapesAreViewsOfTheirSource() throws {
    let b = GraphBuilder()
    let x = b.input("f32[2,3,4]")
    let flat = try b.value(.flatten(axis: 1), [x])
    let back = try b.value(.reshape(allowZero: false), [flat, b.int64s([2, 3, 4])])
    let squeezed = try b.value(.unsqueeze(axes: [0]), [back])
    let y = try b.value(.identity, [squeezed])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.steps.isEmpty)
    let input = plan.buffer(plan.metadata.inputs[0].buffer)
    #expect(plan.output().arenaOffset == input.arenaOffset)
    #expect(plan.output().shape == [1, 2, 3, 4])
  }

  @Test func dropoutPassesDataThroughAndFillsItsMask() throws {
    let b = GraphBuilder()
    let results = try b.node(.dropout, [b.input("f32[2,3]")])
    let (_, plan) = try compile(b, outputs: results)
    #expect(plan.kernels == ["fill"])
    #expect(plan.steps[0].fill.value == 1)
    #expect(plan.output(1).dtype == .bool)
    #expect(plan.output(0).arenaOffset == plan.buffer(plan.metadata.inputs[0].buffer).arenaOffset)
  }

  /// A reshaped weight is folded whatever its size (it is no larger than the weight), and an output in the
  /// constant section is copied into the arena.
  @Test func constantOutputsAreCopiedIntoTheArena() throws {
    let b = GraphBuilder()
    let weights = b.filled("f32[4,4]", 3, name: "w")
    let y = try b.value(.reshape(allowZero: false), [weights, b.int64s([16])])
    let (_, plan) = try compile(b, outputs: [y], options: CodegenOptions(foldingElementLimit: 8))
    #expect(plan.kernels == ["copy"])
    #expect(plan.isConstant(plan.steps[0].inputs[0]))
    #expect(plan.shape(plan.steps[0].inputs[0]) == [16])
    #expect(!plan.isConstant(plan.metadata.outputs[0].buffer))
  }
}
