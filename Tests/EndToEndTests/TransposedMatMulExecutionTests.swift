import ResCompiler
import ResReference
import ResTestSupport
import Testing

/// MatMuls that read and write the attention's head-split and head-merge Transposes in place give the
/// reference evaluator's results: the transformer fixtures are optimized as `rescompile` does, compiled with
/// and without `CodegenOptions.transposedMatMulOperands`, and run on one and two threads. The two plans pack
/// the same values into the same panels, so their outputs must be the same bits; the transposed plan has
/// four copy steps fewer per attention layer.
@Suite struct TransposedMatMulExecutionTests {
  /// Fixture name and its attention layers.
  static let fixtures: [(String, Int)] = [("transformer_post_ln", 2), ("transformer_pre_ln", 2), ("vit_tiny", 2)]

  @Test(arguments: fixtures.map(\.0))
  func fixtureMatchesTheReference(_ name: String) throws {
    let model = try LoadedModel(contentsOf: RepoPaths.fixtureModel(name))
    let optimized = try model.optimized().graph
    let inputs = try SeededInputs.make(for: model.graph, seed: 7)
    let expected = try ReferenceEvaluator.evaluate(model.graph, inputs: inputs)
    let copying = CodegenOptions(transposedMatMulOperands: false)
    for threads in [1, 2] {
      let transposed = try PlanExecution.run(optimized, inputs: inputs, threads: threads)
      let copied = try PlanExecution.run(optimized, options: copying, inputs: inputs, threads: threads)
      #expect(PlanExecution.mismatch(transposed, expected, rtol: 1e-4, atol: 1e-4) == nil, "\(name), \(threads) threads")
      #expect(transposed == copied, "\(name), \(threads) threads: reading the transposes in place changed the results")
    }
    let layers = try #require(Self.fixtures.first { $0.0 == name }?.1)
    let copies = try copySteps(optimized, CodegenOptions())
    #expect(copies == (try copySteps(optimized, copying)) - 4 * layers, "\(name)")
  }

  private func copySteps(_ graph: Graph, _ options: CodegenOptions) throws -> Int {
    let plan = try PlanGenerator.generate(graph, options: options)
    return plan.summary.kernelCounts.first { $0.kernel == "copy" }?.count ?? 0
  }
}
