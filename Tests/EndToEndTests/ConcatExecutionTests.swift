import ResCompiler
import ResReference
import ResTestSupport
import Testing

/// Concats computed in place give the reference evaluator's results: every `ConcatGraphs` case and the DenseNet
/// fixture are compiled, run by the runtime and compared with the oracle, with concat aliasing on and off. The
/// two plans run the same kernels on the same values in the same order, so their outputs must be the same bits.
@Suite struct ConcatExecutionTests {
  static let cases = ["producersIntoSlabs", "batchOfTwo", "graphInputOperand", "operandInTwoConcats",
    "graphOutputOperand", "constantOperand", "repeatedOperand", "concatIsGraphOutput", "nestedDenseBlock",
    "flatDenseBlock", "concatOfAnotherConcatsPart"]

  @Test func everyGraphCaseIsListed() throws {
    #expect(try ConcatGraphs.all().map(\.name) == Self.cases)
  }

  @Test(arguments: cases)
  func handBuiltGraphMatchesTheReference(_ name: String) throws {
    let graph = try #require(try ConcatGraphs.all().first { $0.name == name }).graph
    try expectMatchesReference(graph, rtol: 1e-6, atol: 1e-6)
  }

  /// The fixture at batch 1 (its test data's batch), every Concat computed in place, against the reference
  /// evaluator on the imported graph; optimized as `rescompile` compiles it.
  @Test func denseNetFixtureMatchesTheReference() throws {
    let model = try LoadedModel(contentsOf: RepoPaths.fixtureModel("densenet"))
    let optimized = try model.optimized().graph
    let inputs = try SeededInputs.make(for: model.graph, seed: 7)
    let expected = try ReferenceEvaluator.evaluate(model.graph, inputs: inputs)
    let aliased = try PlanExecution.run(optimized, inputs: inputs, threads: 2)
    let copied = try PlanExecution.run(optimized, options: CodegenOptions(concatAliasing: false), inputs: inputs)
    #expect(PlanExecution.mismatch(aliased, expected, rtol: 1e-4, atol: 1e-4) == nil)
    #expect(aliased == copied)
    let plan = try PlanGenerator.generate(optimized)
    #expect(plan.summary.concatCopiedBytes == 0 && plan.summary.concatAliasedBytes > 0)
  }

  private func expectMatchesReference(_ graph: Graph, rtol: Double, atol: Double) throws {
    let inputs = try SeededInputs.make(for: graph, seed: 11)
    let expected = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    let aliased = try PlanExecution.run(graph, inputs: inputs)
    let copied = try PlanExecution.run(graph, options: CodegenOptions(concatAliasing: false), inputs: inputs)
    #expect(PlanExecution.mismatch(aliased, expected, rtol: rtol, atol: atol) == nil, "\(graph.name)")
    #expect(aliased == copied, "\(graph.name): aliasing changed the results")
  }
}
