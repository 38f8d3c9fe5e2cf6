import ResCompiler
import ResTestSupport
import Testing

/// `--verify-each`'s measurement: each graph's outputs against the unoptimized model's on seeded inputs.
@Suite struct ReferenceDriftTests {
  @Test func optimizedGraphStaysWithinTheDefaultTolerance() throws {
    let model = try LoadedModel(contentsOf: RepoPaths.fixtureModel("resnet_basic"))
    let drift = try ReferenceDrift(unoptimized: model.graph)
    #expect(drift.baselineDrift.allSatisfy { $0.maxAbsoluteError == 0 && $0.withinTolerance })
    #expect(try drift.measure(model.graph) == drift.baselineDrift)
    let measured = try drift.measure(try model.optimized().graph)
    #expect(measured.map(\.output) == ["output"])
    #expect(measured.allSatisfy { $0.withinTolerance })
    // Folding BatchNorm reorders float arithmetic: close, not equal.
    #expect(measured[0].maxAbsoluteError > 0 && measured[0].maxAbsoluteError < 1e-4)
  }

  /// A pass that changed the numbers (here: a weight scaled by 1.1) is caught.
  @Test func aChangedWeightIsOutOfTolerance() throws {
    let model = try LoadedModel(contentsOf: RepoPaths.fixtureModel("resnet_basic"))
    var graph = model.graph
    let position = try #require(graph.nodes.firstIndex { $0.op.onnxName == "Conv" })
    let weight = try #require(graph.nodes[position].input(1).flatMap(graph.constant))
    let scaled = Constant(dtype: weight.dtype, dims: weight.dims, doubles: weight.doubles().map { $0 * 1.1 })
    graph.nodes[position].inputs[1] = graph.addConstant(name: "scaled", scaled)
    let drift = try ReferenceDrift(unoptimized: model.graph)
    let measured = try #require(try drift.measure(graph).first)
    #expect(!measured.withinTolerance)
    #expect(measured.mismatchCount > 0 && measured.maxAbsoluteError > 1e-4)
    let lenient = try ReferenceDrift(
      unoptimized: model.graph, tolerance: OutputTolerance(rtol: 10, atol: 10))
    #expect(try lenient.measure(graph).allSatisfy { $0.withinTolerance })
  }

  /// Symbolic dimensions take their bound value (else 1) in the seeded inputs.
  @Test func symbolicDimensionsAreBound() throws {
    let model = try LoadedModel(contentsOf: RepoPaths.fixtureModel("resnet_basic_dynamic_batch"))
    for bindings in [[:], ["batch": 3]] {
      let drift = try ReferenceDrift(unoptimized: model.graph, dimensionBindings: bindings)
      let measured = try drift.measure(try model.optimized().graph)
      #expect(measured.allSatisfy { $0.withinTolerance })
      #expect(measured.first?.elementCount == 10 * (bindings["batch"] ?? 1))
    }
  }
}
