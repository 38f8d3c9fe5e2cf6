import ResCompiler
import ResIR
import ResReference
import ResTestSupport
import Testing

/// A model with thousands of inputs and outputs runs: the runner lends the first tensors' memory by nesting
/// closures and copies the rest through scratch memory (`RunBuffers`), where nesting all of them overflowed the
/// stack (`rescompile check` of 5,000 ReLUs side by side crashed).
@Suite struct ManyInputsAndOutputsTests {
  @Test func fourThousandInputsAndOutputs() throws {
    let b = GraphBuilder()
    let count = 4000
    let inputs = (0..<count).map { b.input("f32[1,\($0 % 5 + 1)]", name: "x\($0)") }
    var outputs = try inputs.enumerated().map { index, x in
      try b.value(.unary(index.isMultiple(of: 2) ? .relu : .neg), [x], name: "y\(index)")
    }
    // One output from a lent input and a copied one, so both kinds meet in one step.
    outputs.append(try b.value(.binary(.add), [inputs[1], inputs[count - 4]], name: "mixed"))
    b.graph.outputs = outputs
    let seeded = try SeededInputs.make(for: b.graph, seed: 5)
    let expected = try ReferenceEvaluator.evaluate(b.graph, inputs: seeded)
    let actual = try PlanExecution.run(b.graph, inputs: seeded)
    #expect(actual.count == count + 1)
    #expect(PlanExecution.mismatch(actual, expected, rtol: 0, atol: 0) == nil)
  }
}
