import ResCodegen
import ResIR
import ResPlan
import ResTestSupport
import Testing

/// Shape arithmetic and nodes of constants are computed when compiling, so the plan never runs them.
@Suite struct CompileTimeEvaluationTests {
  /// PyTorch's dynamic-batch flatten: `Shape → Gather → Unsqueeze → Concat → Reshape`. With the batch bound,
  /// the whole chain is evaluated and the Reshape is a view: no step at all.
  @Test func shapeChainDisappears() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,3,4]")
    let shape = try b.value(.shape(start: 0, end: nil), [x], name: "shape")
    let batch = try b.value(.gather(axis: 0), [shape, b.constant(.int64, [0], [])], name: "batch")
    let batchVector = try b.value(.unsqueeze(axes: [0]), [batch], name: "unsqueeze")
    let target = try b.value(.concat(axis: 0), [batchVector, b.int64s([-1])], name: "concat")
    let y = try b.value(.reshape(allowZero: false), [x, target], name: "reshape")
    let (generated, plan) = try compile(b, outputs: [y], options: CodegenOptions(dimensionBindings: ["N": 2]))
    #expect(plan.steps.isEmpty)
    #expect(generated.summary.foldedNodeCount == 4)
    #expect(plan.output().shape == [2, 12])
    #expect(plan.output().arenaOffset == plan.buffer(plan.metadata.inputs[0].buffer).arenaOffset)
    #expect(plan.metadata.sourceNodeCount == 5)
  }

  @Test func constantOfShapeIsFoldedUpToTheLimit() throws {
    for (limit, kernels) in [(1 << 20, ["copy"]), (4, ["fill"])] {
      let b = GraphBuilder()
      let y = try b.value(.constantOfShape(ScalarValue(dtype: .float32, value: 7)), [b.int64s([2, 3])])
      let (_, plan) = try compile(b, outputs: [y], options: CodegenOptions(foldingElementLimit: limit))
      #expect(plan.kernels == kernels)
      if kernels == ["copy"] {
        #expect(plan.floats(plan.steps[0].inputs[0]) == [Float](repeating: 7, count: 6))
      } else {
        #expect(plan.steps[0].fill.value == 7)
      }
      #expect(plan.output().shape == [2, 3])
    }
  }

  /// Above the limit, a node that would grow the plan (Expand of a small constant) stays a step, and one that
  /// does not (the Cast of a weight) is folded so that no step converts the weight on every run.
  @Test func theLimitSparesConversionsOfWeights() throws {
    let b = GraphBuilder()
    let weight = try b.value(.cast(to: .float32), [b.constant(.float16, [Double](repeating: 0.5, count: 64), [8, 8])])
    let product = try b.value(.matMul(.none), [b.input("f32[2,8]"), weight])
    let grown = try b.value(.expand, [b.floats([1, 2], [2, 1], name: "pair"), b.int64s([2, 64])])
    let (generated, plan) = try compile(b, outputs: [product, grown], options: CodegenOptions(foldingElementLimit: 16))
    #expect(generated.summary.foldedNodeCount == 1)
    #expect(plan.kernels == ["f32_matmul_generic", "copy"])
    #expect(plan.floats(plan.steps[0].inputs[1]) == [Float](repeating: 0.5, count: 64))
    #expect(plan.steps[1].copy.srcStrides == [1, 0])
  }

  /// Arithmetic on constants (a scale computed from two constants, say) is one constant in the plan.
  @Test func arithmeticOnConstantsBecomesAConstant() throws {
    let b = GraphBuilder()
    let scale = try b.value(.binary(.div), [b.floats([1], [], name: "one"), b.floats([8], [], name: "eight")])
    let y = try b.value(.binary(.mul), [b.input("f32[4]"), scale])
    let (generated, plan) = try compile(b, outputs: [y])
    #expect(generated.summary.foldedNodeCount == 1)
    #expect(plan.kernels == ["binary"])
    #expect(plan.floats(plan.steps[0].inputs[1]) == [0.125])
  }

  /// Int64 values beyond 2^53 survive folding exactly (they are never converted to Double).
  @Test func foldedIntegersAreExact() throws {
    let b = GraphBuilder()
    let big = b.int64s([Int64.max - 1])
    let sum = try b.value(.binary(.add), [big, b.int64s([1])])
    let y = try b.value(.binary(.sub), [b.input("i64[1]"), sum])
    let (_, plan) = try compile(b, outputs: [y])
    #expect(plan.int64s(plan.steps[0].inputs[1]) == [Int64.max])
  }

  /// A shape that depends on data computed at run time cannot be planned: the error names the node.
  @Test func dataDependentShapeIsAnError() throws {
    let b = GraphBuilder()
    let shape = b.input("i64[2]", name: "shape")
    let y = try b.value(.reshape(allowZero: false), [b.input("f32[2,6]"), shape], name: "dynamic_reshape")
    let error = try #require(compileError(b, outputs: [y]))
    #expect(error.node == "dynamic_reshape" && error.opType == "Reshape")
    #expect(error.message.contains("static"))
  }
}
