import ResCompiler
import ResIR
import ResReference
import ResTestSupport
import Testing

/// ScatterND at run time (on computed data, with repeated index tuples) and a Swin-style attention mask
/// (ConstantOfShape → ScatterND → Equal → Where, all constants) compiled and run, against the reference
/// evaluator.
@Suite struct ScatterMaskExecutionTests {
  /// `y = ScatterND(2·x, tuples, updates(x)) + 0`: data and updates are computed, so the step runs at run time;
  /// the tuples address row 1 twice (the later wins, or both add) and row -1.
  @Test(arguments: ScatterReduction.allCases)
  func scatterOnComputedData(_ reduction: ScatterReduction) throws {
    let b = GraphBuilder()
    let x = b.input("f32[4,3]")
    let data = try b.value(.binary(.mul), [x, b.filled("f32[]", 2, name: "two")], name: "double")
    let bounds = [b.int64s([0], name: "s"), b.int64s([3], name: "e"), b.int64s([0], name: "a")]
    let firstRows = try b.value(.slice, [x] + bounds, name: "rows")
    let updates = try b.value(.binary(.add), [firstRows, b.filled("f32[]", 0.5, name: "half")], name: "updates")
    let tuples = b.int64s([1, -1, 1], dims: [3, 1], name: "tuples")
    let scattered = try b.value(.scatterND(reduction), [data, tuples, updates], name: "scatter")
    b.graph.outputs = [scattered]
    let inputs = try SeededInputs.make(for: b.graph, seed: 3)
    let expected = try ReferenceEvaluator.evaluate(b.graph, inputs: inputs)
    for threads in [1, 2] {
      let actual = try PlanExecution.run(b.graph, inputs: inputs, threads: threads)
      #expect(PlanExecution.mismatch(actual, expected, rtol: 0, atol: 0) == nil, "\(reduction), \(threads) threads")
    }
    let plan = try PlanGenerator.generate(b.graph)
    #expect(plan.summary.kernelCounts.contains { $0.kernel == "scatter_nd" })
  }

  /// Swin's shifted-window mask: zeros, regions numbered by ScatterND, `region != 0` as Not(Equal), and
  /// -100 where masked, added to the scores. Every mask node folds: the plan has one add step.
  @Test func swinStyleMaskFoldsAway() throws {
    let b = GraphBuilder()
    let scores = b.input("f32[1,4,4]", name: "scores")
    let zero = ScalarValue(dtype: .float32, value: 0)
    let zeros = try b.value(.constantOfShape(zero), [b.int64s([4, 4], name: "size")], name: "zeros")
    let rows = b.int64s([2, 3], dims: [2, 1], name: "rows")
    let ids = b.constant("f32[2,4]", [1, 1, 1, 1, 2, 2, 2, 2], name: "ids")
    let regions = try b.value(.scatterND(.none), [zeros, rows, ids], name: "regions")
    let unmasked = try b.value(.binary(.equal), [regions, b.filled("f32[]", 0, name: "zero")], name: "isZero")
    let masked = try b.value(.binary(.equal), [unmasked, b.filled("bool[]", 0, name: "false")], name: "not")
    let penalty = b.filled("f32[]", -100, name: "penalty")
    let mask = try b.value(.where, [masked, penalty, b.filled("f32[]", 0, name: "none")], name: "mask")
    let y = try b.value(.binary(.add), [scores, mask], name: "masked")
    b.graph.outputs = [y]
    let inputs = try SeededInputs.make(for: b.graph, seed: 5)
    let expected = try ReferenceEvaluator.evaluate(b.graph, inputs: inputs)
    let actual = try PlanExecution.run(b.graph, inputs: inputs)
    #expect(PlanExecution.mismatch(actual, expected, rtol: 0, atol: 0) == nil)
    let kernels = try PlanGenerator.generate(b.graph).summary.kernelCounts.map(\.kernel)
    #expect(kernels == ["binary"])
  }
}
