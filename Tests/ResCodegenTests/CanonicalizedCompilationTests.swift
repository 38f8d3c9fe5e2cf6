import ResCodegen
import ResIR
import ResONNX
import ResPasses
import ResTestSupport
import Testing

/// The optimizer's canonicalization stage and the code generator share constant folding (`ConstantFolding`):
/// every fixture compiles after canonicalization to a valid plan with the model's input and output names, and
/// never to more steps than without it (what the stage folds, the generator would have folded anyway; what it
/// merges runs once).
@Suite struct CanonicalizedCompilationTests {
  @Test(arguments: FixtureCompilationTests.fixtures)
  func canonicalizedFixtureCompiles(_ fixture: FixtureCompilationTests.Fixture) throws {
    let imported = try ONNXImporter.importModel(at: RepoPaths.fixtureModel(fixture.name)).graph
    var canonical = imported
    var context = PassContext()
    let stage = try #require(Pipeline.pass(named: "canonicalize"))
    try PassManager(passes: [stage]).run(&canonical, context: &context)

    let options = CodegenOptions(dimensionBindings: fixture.bindings)
    let plain = try DecodedPlan(try PlanGenerator.generate(imported, options: options).bytes)
    let optimized = try DecodedPlan(try PlanGenerator.generate(canonical, options: options).bytes)
    #expect(PlanValidation.problems(optimized) == [], "\(fixture.name)")
    #expect(optimized.metadata.inputs.map(\.name) == plain.metadata.inputs.map(\.name))
    #expect(optimized.metadata.outputs.map(\.name) == plain.metadata.outputs.map(\.name))
    let shapes = [optimized, plain].map { plan in plan.metadata.outputs.map { plan.shape($0.buffer) } }
    #expect(shapes[0] == shapes[1])
    #expect(optimized.steps.count <= plain.steps.count, "\(fixture.name): \(optimized.kernels) vs \(plain.kernels)")
  }
}
