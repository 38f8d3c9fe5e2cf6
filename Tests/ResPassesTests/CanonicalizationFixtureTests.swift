import Foundation
import ResIR
import ResPasses
import ResReference
import ResTestSupport
import Testing

/// The canonicalization stage on every model fixture: the result verifies, computes exactly what the imported
/// model computes on the fixture's test inputs (folding uses the same evaluator, and merging and removing are
/// exact), and the shape arithmetic of exports is gone wherever it does not depend on a symbolic batch. Prints
/// the node counts before and after, and what fired, per fixture.
@Suite struct CanonicalizationFixtureTests {
  /// Static fixtures whose exports compute shapes at run time (Shape/Gather/Unsqueeze/Concat, ConstantOfShape).
  static let staticShapeArithmetic = ["vit_tiny", "residual_lstm", "residual_gru", "resnet_cifar_option_a"]
  static let dynamicBatch = ["vit_tiny_dynamic_batch", "resnet_basic_dynamic_batch"]

  @Test func theManifestListsTheFixtures() {
    #expect(FixtureData.all.count >= 20, "fixtures/MANIFEST.json lists only \(FixtureData.all.count) fixtures")
    let names = Set(FixtureData.all.map(\.name))
    for name in Self.staticShapeArithmetic + Self.dynamicBatch + ["resnet_basic_initializers_as_inputs"] {
      #expect(names.contains(name), "fixture \(name) is missing from the manifest")
    }
  }

  @Test(arguments: FixtureData.all)
  func canonicalizesExactly(_ fixture: FixtureData) throws {
    let imported = try fixture.graph()
    let (canonical, context) = try Canonicalization.run(on: imported)
    try Verifier.verify(canonical)
    let counts = Self.applied(context)
    print(
      "canonicalize \(fixture.name): \(imported.nodes.count) → \(canonical.nodes.count) nodes; "
        + "Shape nodes \(Self.count("Shape", imported)) → \(Self.count("Shape", canonical)); \(counts)")

    let inputs = try fixture.inputs(for: imported)
    let before = try ReferenceEvaluator.evaluate(imported, inputs: inputs)
    let after = try ReferenceEvaluator.evaluate(canonical, inputs: inputs)
    #expect(after == before, "\(fixture.name): canonicalization changed the outputs")
    #expect(canonical.outputs.map { canonical[$0].name } == imported.outputs.map { imported[$0].name })
    #expect(canonical.inputs.map(canonical.type(of:)) == imported.inputs.map(imported.type(of:)))
    #expect(canonical.nodes.count <= imported.nodes.count)
  }

  /// On static models every int64 node (shape arithmetic) is folded away.
  @Test(arguments: staticShapeArithmetic)
  func shapeArithmeticCollapsesOnStaticModels(_ name: String) throws {
    let imported = try FixtureData(name: name).graph()
    #expect(Self.shapeArithmetic(imported).count > 0, "\(name) has no shape arithmetic to fold")
    let (canonical, _) = try Canonicalization.run(on: imported)
    #expect(Self.shapeArithmetic(canonical).map(\.name) == [], "\(name): shape arithmetic left")
  }

  /// On dynamic-batch models, what depends on the batch stays (and the graph stays dynamic); what does not is
  /// folded. Evaluating at the test data's batch (2, not the 1 a wrong fold would have assumed) checks it.
  @Test(arguments: dynamicBatch)
  func dynamicBatchStaysDynamic(_ name: String) throws {
    let fixture = FixtureData(name: name)
    let imported = try fixture.graph()
    let (canonical, context) = try Canonicalization.run(on: imported)
    #expect(canonical.inputs.allSatisfy { canonical.type(of: $0).shape.first == .symbol("batch") })
    #expect(canonical.outputs.allSatisfy { canonical.type(of: $0).shape.first == .symbol("batch") })
    for node in Self.shapeArithmetic(canonical) {
      let declined = context.decisions.first { $0.node == node.name && $0.pattern == "fold-constants" }
      #expect(declined?.detail.contains("batch") == true, "\(name): '\(node.name)' stays but not for the batch")
    }
    let inputs = try fixture.inputs(for: imported)
    #expect(inputs.values.allSatisfy { $0.shape.first == 2 }, "the test data should be at batch 2")
    let after = try ReferenceEvaluator.evaluate(canonical, inputs: inputs)
    #expect(try after == ReferenceEvaluator.evaluate(imported, inputs: inputs))
  }

  /// Peer pitfall 7: initializers listed as graph inputs (IR < 4, `keep_initializers_as_inputs`) are constants,
  /// so the model canonicalizes to the same graph as the one without them.
  @Test func pitfall7InitializersAsInputsCanonicalizeLikeConstants() throws {
    var asInputs = try Canonicalization.run(on: FixtureData(name: "resnet_basic_initializers_as_inputs").graph()).graph
    let plain = try Canonicalization.run(on: FixtureData(name: "resnet_basic").graph()).graph
    asInputs.name = plain.name
    #expect(TextFormat.print(asInputs) == TextFormat.print(plain))
  }

  // MARK: - Helpers

  /// Nodes computing int64 values: in these models, only shape arithmetic does.
  static func shapeArithmetic(_ graph: Graph) -> [Node] {
    graph.nodes.filter { node in node.outputs.contains { graph.type(of: $0).dtype == .int64 } }
  }

  static func count(_ opType: String, _ graph: Graph) -> Int {
    graph.nodes.count { $0.op.onnxName == opType }
  }

  /// `fold-constants 21, eliminate-common-subexpressions 2, ...` in name order.
  static func applied(_ context: PassContext) -> String {
    context.applied.keys.sorted().map { "\($0) \(context.applied[$0] ?? 0)" }.joined(separator: ", ")
  }
}

/// Runs the `canonicalize` stage with verification after each pass.
enum Canonicalization {
  static func run(on graph: Graph) throws -> (graph: Graph, context: PassContext) {
    let stage = try #require(Pipeline.pass(named: "canonicalize"))
    var result = graph
    var context = PassContext()
    try PassManager(passes: [stage], verifyEach: true).run(&result, context: &context)
    return (result, context)
  }
}
