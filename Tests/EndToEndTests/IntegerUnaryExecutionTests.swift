import ResCompiler
import ResIR
import ResReference
import ResTestSupport
import Testing

/// Relu, Abs and Neg of integers computed at run time (the unary kernel takes floats, so these lower to
/// integer binary steps) and the comparisons and IsNaN's `x == x` on computed data, against the reference
/// evaluator.
@Suite struct IntegerUnaryExecutionTests {
  @Test(arguments: [UnaryOp.relu, .abs, .neg])
  func integerUnaryOfComputedData(_ op: UnaryOp) throws {
    let b = GraphBuilder()
    let x = b.input("f32[3,5]")
    let scaled = try b.value(.binary(.mul), [x, b.filled("f32[]", 40, name: "scale")], name: "scaled")
    let integers = try b.value(.cast(to: .int64), [scaled], name: "integers")
    let applied = try b.value(.unary(op), [integers], name: "applied")
    b.graph.outputs = [try b.value(.cast(to: .float32), [applied], name: "back")]
    let inputs = try SeededInputs.make(for: b.graph, seed: 9)
    let expected = try ReferenceEvaluator.evaluate(b.graph, inputs: inputs)
    #expect(expected[0].doubles.contains { $0 < 0 } || op != .neg, "the data must have negative values")
    let actual = try PlanExecution.run(b.graph, inputs: inputs)
    #expect(PlanExecution.mismatch(actual, expected, rtol: 0, atol: 0) == nil, "\(op)")
  }

  @Test(arguments: Comparison.allCases)
  func comparisonOfComputedData(_ comparison: Comparison) throws {
    let b = GraphBuilder()
    let x = b.input("f32[4,6]")
    let shifted = try b.value(.binary(.sub), [x, b.filled("f32[1,6]", 0.25, name: "shift")], name: "shifted")
    let test = try b.value(.binary(.compare(comparison)), [shifted, b.filled("f32[]", 0, name: "zero")], name: "test")
    b.graph.outputs = [try b.value(.cast(to: .float32), [test], name: "asFloat")]
    let inputs = try SeededInputs.make(for: b.graph, seed: 4)
    let expected = try ReferenceEvaluator.evaluate(b.graph, inputs: inputs)
    #expect(Set(expected[0].doubles) == [0, 1])
    #expect(PlanExecution.mismatch(try PlanExecution.run(b.graph, inputs: inputs), expected, rtol: 0, atol: 0) == nil)
  }
}
