import Foundation
import ResCompiler
import ResTestSupport
import Testing

/// The façade's compile path: `LoadedModel.compile(options:)`, `CompiledPlan.write(to:)`, plan paths.
@Suite struct CompileTests {
  @Test func compilesAFixtureAndRecordsWhereItCameFrom() throws {
    let model = try LoadedModel(contentsOf: RepoPaths.fixtureModel("resnet_basic_dynamic_batch"))
    let options = CompileOptions(dimensionBindings: ["batch": 2])
    let plan = try model.compile(options: options)
    // The plan is made from the optimized graph (-O2 by default), not the imported one.
    #expect(plan.summary.sourceNodeCount == (try model.optimized(options: options)).graph.nodes.count)
    let unoptimized = try model.compile(options: CompileOptions(dimensionBindings: ["batch": 2], optimization: .none))
    // At -O0 the plan's source nodes are the imported ones.
    #expect(unoptimized.summary.sourceNodeCount == model.graph.nodes.count)
    #expect(plan.summary.sourceNodeCount < model.graph.nodes.count)
    #expect(plan.summary.arenaBytes < plan.summary.naiveArenaBytes)
    #expect(Array(plan.bytes.prefix(8)) == Array("RESPLAN\0".utf8))
    let producer = Array("rescompile \(RescompileVersion.string)".utf8)
    #expect(Array(plan.bytes[16..<(16 + producer.count)]) == producer)
    #expect(try model.compile(options: CompileOptions(dimensionBindings: ["batch": 2])).bytes == plan.bytes)
  }

  @Test func writesAtomicallyAndNeverOverTheModel() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rescompile-facade-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let modelPath = "\(folder)/net.onnx"
    try FileManager.default.copyItem(atPath: RepoPaths.fixtureModel("resnet_basic"), toPath: modelPath)
    let plan = try LoadedModel(contentsOf: modelPath).compile()

    let target = PlanPath.defaultPath(forModel: modelPath)
    #expect(target == "\(folder)/net.resplan")
    try plan.write(to: target)
    #expect(FileManager.default.contents(atPath: target) == Data(plan.bytes))

    let original = FileManager.default.contents(atPath: modelPath)
    #expect(throws: FileWriteError.self) { try plan.write(to: "\(folder)/./net.onnx") }
    #expect(FileManager.default.contents(atPath: modelPath) == original)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["net.onnx", "net.resplan"])
  }

  @Test func defaultPlanPaths() {
    #expect(PlanPath.defaultPath(forModel: "a/b/model.onnx") == "a/b/model.resplan")
    #expect(PlanPath.defaultPath(forModel: "model") == "model.resplan")
    #expect(PlanPath.defaultPath(forModel: "model.ONNX.bin") == "model.ONNX.bin.resplan")
  }

  @Test func anUnboundDimensionIsAModelError() throws {
    let model = try LoadedModel(contentsOf: RepoPaths.fixtureModel("vit_tiny_dynamic_batch"))
    #expect(throws: ModelError.self) { try model.compile() }
  }
}
