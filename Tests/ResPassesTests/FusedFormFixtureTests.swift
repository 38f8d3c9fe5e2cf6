import ResIR
import ResONNX
import ResPasses
import Testing

/// What the -O2 pipeline makes of the post-LN transformer and Highway fixtures, beyond keeping their outputs
/// (EpilogueFixtureTests checks those on every fixture).
@Suite struct FusedFormFixtureTests {
  static func optimized(_ name: String) throws -> (imported: Graph, optimized: Graph) {
    let fixture = try FixtureList.fixture(named: name)
    let imported = try ONNXImporter.importModel(at: fixture.folder + "/model.onnx").graph
    var graph = imported
    var context = PassContext()
    try PassManager(passes: Pipeline.passes(for: .full), verifyEach: true).run(&graph, context: &context)
    return (imported, graph)
  }

  /// Both residual Adds of every post-LN layer become the residual operand of the LayerNorm that follows, also
  /// when the export wrote each LayerNorm out as ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add (opset 13).
  @Test(arguments: ["transformer_post_ln", "transformer_post_ln_opset13"])
  func postLNResidualsFuseIntoTheirLayerNorms(_ fixture: String) throws {
    let graph = try Self.optimized(fixture).optimized
    let norms = graph.nodes.filter { $0.op.onnxName == "LayerNormalization" }
    #expect(norms.count == 4)
    #expect(norms.allSatisfy { $0.op.addsResidual })
    #expect(graph.count(of: "Add") == 0)
    for op in ["ReduceMean", "Sub", "Pow", "Sqrt", "Div"] { #expect(graph.count(of: op) == 0, "\(op) left") }
  }

  /// peer-pitfalls 19: the Highway gate is data. After -O2 every GatedSkip's T is computed at run time by a
  /// gate Gemm (its Sigmoid now the Gemm's epilogue) from the block's own input, with the model's weights
  /// unchanged, and H by the transform Gemm with its ReLU: nothing of T was folded into a weight.
  @Test func highwayGatesStayComputedFromData() throws {
    let (imported, graph) = try Self.optimized("highway_mlp")
    let originalWeights = Set(
      imported.nodes.filter { $0.op.onnxName == "Gemm" }.compactMap { $0.input(1).flatMap { imported.constant($0) } }
        .map(\.fingerprint))
    let view = GraphView(graph)
    let skips = graph.nodes.filter { $0.op == .gatedSkip }
    #expect(skips.count == 4)
    for skip in skips {
      let gate = try #require(view.producer(of: skip.input(0)), "\(skip.name): T is not computed")
      let transform = try #require(view.producer(of: skip.input(1)), "\(skip.name): H is not computed")
      #expect(gate.op.onnxName == "Gemm" && gate.op.epilogue?.activation == .sigmoid, "\(skip.name): \(gate.op)")
      #expect(transform.op.onnxName == "Gemm" && transform.op.epilogue?.activation == .relu)
      #expect(gate.input(0) == skip.input(2), "\(skip.name): the gate does not read the block's input")
      let weight = try #require(gate.input(1).flatMap { graph.constant($0) })
      #expect(originalWeights.contains(weight.fingerprint), "\(skip.name): the gate's weights changed")
    }
  }
}
