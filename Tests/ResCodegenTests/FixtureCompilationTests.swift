import Foundation
import ResCodegen
import ResIR
import ResONNX
import ResPlan
import ResTestSupport
import Testing

/// Every model fixture (fixtures/MANIFEST.json) compiles to a valid plan, the same bytes every time, with a
/// conflict-free arena. Dynamic-batch fixtures are bound to the batch of their test data.
@Suite struct FixtureCompilationTests {
  struct Fixture: Sendable, CustomTestStringConvertible {
    var name: String
    var bindings: [String: Int]
    var testDescription: String { name }
  }

  /// The manifest's fixtures; symbolic input dimensions bound from the shapes of the fixture's test data.
  static let fixtures: [Fixture] = {
    guard let data = FileManager.default.contents(atPath: RepoPaths.fixtures + "/MANIFEST.json"),
      let manifest = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let entries = manifest["fixtures"] as? [[String: Any]]
    else { return [] }
    return entries.compactMap { entry in
      guard let name = entry["name"] as? String else { return nil }
      var bindings: [String: Int] = [:]
      let declared = entry["inputs"] as? [[String: Any]] ?? []
      let concrete = (entry["test_data"] as? [String: Any])?["inputs"] as? [[String: Any]] ?? []
      for (input, values) in zip(declared, concrete) {
        let symbols = input["shape"] as? [Any] ?? []
        let sizes = values["shape"] as? [Int] ?? []
        for (symbol, size) in zip(symbols, sizes) {
          if let symbol = symbol as? String { bindings[symbol] = size }
        }
      }
      return Fixture(name: name, bindings: bindings)
    }
  }()

  @Test func theManifestListsTheFixtures() {
    #expect(Self.fixtures.count >= 20, "fixtures/MANIFEST.json lists only \(Self.fixtures.count) fixtures")
    #expect(Self.fixtures.contains { !$0.bindings.isEmpty }, "no dynamic-batch fixture")
  }

  @Test(arguments: fixtures)
  func compilesToAValidDeterministicPlan(_ fixture: Fixture) throws {
    let graph = try ONNXImporter.importModel(at: RepoPaths.fixtureModel(fixture.name)).graph
    let options = CodegenOptions(dimensionBindings: fixture.bindings)
    let first = try PlanGenerator.generate(graph, options: options)
    let second = try PlanGenerator.generate(graph, options: options)
    #expect(first.bytes == second.bytes, "\(fixture.name): two compilations differ")

    let plan = try DecodedPlan(first.bytes)
    #expect(PlanValidation.problems(plan) == [], "\(fixture.name)")
    #expect(MemoryPlanner.conflicts(first.arena.requests, offsets: first.arena.plan.offsets).isEmpty)
    #expect(plan.metadata.inputs.map(\.name) == graph.inputs.map { graph[$0].name })
    #expect(plan.metadata.outputs.map(\.name) == graph.outputs.map { graph[$0].name })
    #expect(plan.metadata.arenaBytes < plan.metadata.naiveArenaBytes, "\(fixture.name): no memory reused")
    #expect(plan.steps.count == first.summary.stepCount && !plan.steps.isEmpty)
    for binding in plan.metadata.inputs + plan.metadata.outputs {
      #expect(!plan.isConstant(binding.buffer), "\(fixture.name): '\(binding.name)' is not in the arena")
      #expect(plan.buffer(binding.buffer).shape.allSatisfy { $0 > 0 })
    }
  }

  /// DESIGN.md §6's structural counts, before the optimizer fuses anything: one step per Conv and per
  /// BatchNormalization, and shape arithmetic gone.
  @Test func structuralCounts() throws {
    let resnet = try DecodedPlan(try compileFixture("resnet_basic").bytes)
    #expect(resnet.steps(.f32ConvNCHWGeneric).count == 9)
    #expect(resnet.steps(.f32ChannelAffine).count == 9)
    #expect(resnet.steps(.f32GemmGeneric).count == 1)

    let vit = try compileFixture("vit_tiny_dynamic_batch", bindings: ["batch": 2])
    let decoded = try DecodedPlan(vit.bytes)
    #expect(vit.summary.foldedNodeCount >= 21, "every Shape node is evaluated when compiling")
    #expect(!decoded.kernels.contains("fill"))
    #expect(decoded.output().shape == [2, 10])
  }

  private func compileFixture(_ name: String, bindings: [String: Int] = [:]) throws -> GeneratedPlan {
    let graph = try ONNXImporter.importModel(at: RepoPaths.fixtureModel(name)).graph
    return try PlanGenerator.generate(graph, options: CodegenOptions(dimensionBindings: bindings))
  }
}
