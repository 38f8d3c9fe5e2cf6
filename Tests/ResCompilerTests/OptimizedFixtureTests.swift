import Foundation
import ResCompiler
import ResTestSupport
import Testing

/// Structural counts after -O2 (issue #4's "done when"): the residual networks' BatchNorms, Adds and ReLUs are
/// all folded or fused, read from the JSON dump as a user's script would, and the plan has one step per
/// convolution plus the pooling and the classifier.
@Suite struct OptimizedFixtureTests {
  /// Ops that must not survive -O2 in a ResNet-like network (ReLU6 is a Clip).
  static let fusedAway: Set<String> = ["BatchNormalization", "Add", "Sum", "Relu", "Clip"]

  @Test(arguments: ["resnet_basic", "resnet_bottleneck", "resnext", "mobilenetv2"])
  func everyBatchNormAddAndReluIsFusedAndEachConvIsOneStep(_ name: String) throws {
    let model = try LoadedModel(contentsOf: RepoPaths.fixtureModel(name))
    let optimized = try model.optimized()
    let ops = try Self.jsonOps(optimized.graph)
    #expect(ops.filter(Self.fusedAway.contains).isEmpty, "\(name) keeps \(ops.filter(Self.fusedAway.contains))")
    try Self.expectOneStepPerLayer(model, optimized)
  }

  /// Pre-activation ResNet and DenseNet: every Add is fused into a conv epilogue; a BatchNorm with no conv in
  /// front of it (after the residual sum, after a Concat) becomes a ScaleShift step carrying the ReLU after it,
  /// so no BatchNormalization, Add or ReLU is left, and each pre-activation is one step.
  @Test(arguments: ["resnet_preact", "densenet"])
  func preActivationsBecomeOneScaleShiftStepEach(_ name: String) throws {
    let model = try LoadedModel(contentsOf: RepoPaths.fixtureModel(name))
    let optimized = try model.optimized()
    let ops = try Self.jsonOps(optimized.graph)
    #expect(ops.filter(Self.fusedAway.contains).isEmpty, "\(name) keeps \(ops.filter(Self.fusedAway.contains))")
    let scaleShifts = optimized.graph.nodes.filter { if case .scaleShift = $0.op { true } else { false } }
    #expect(!scaleShifts.isEmpty)
    for node in scaleShifts {
      #expect(node.op.epilogue?.activation != nil, "ScaleShift '\(node.name)' carries no activation")
    }
    print("\(name) at -O2: \(scaleShifts.count) BatchNorms with no conv before them are ScaleShift+activation steps")
  }

  /// Op types of the nodes of the graph's JSON dump.
  static func jsonOps(_ graph: Graph) throws -> [String] {
    let text = graph.rendered(as: .json)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    let nodes = try #require(object["nodes"] as? [[String: Any]])
    return nodes.compactMap { $0["op"] as? String }
  }

  /// One conv kernel step per Conv of the imported model, one pool step per pooling node, one GEMM step per
  /// Gemm; nothing else. No reorder: the stem reads the image row-major and writes the channels-last layout
  /// the other convolutions compute in, and their global pooling writes the classifier's input row-major.
  static func expectOneStepPerLayer(_ model: LoadedModel, _ optimized: OptimizedModel) throws {
    let imported = model.graph.nodes.map(\.op.onnxName)
    let convs = imported.filter { $0 == "Conv" }.count
    let pools = imported.filter { ["MaxPool", "AveragePool", "GlobalAveragePool"].contains($0) }.count
    let gemms = imported.filter { $0 == "Gemm" }.count
    let plan = try model.compile(optimized.graph, options: CompileOptions()).summary
    let kernels = Dictionary(uniqueKeysWithValues: plan.kernelCounts.map { ($0.kernel, $0.count) })
    #expect(kernels.filter { $0.key.contains("conv") }.values.reduce(0, +) == convs)
    #expect(kernels["f32_pool"] == pools)
    #expect(kernels.filter { $0.key.contains("gemm") }.values.reduce(0, +) == gemms)
    #expect(kernels["f32_reorder"] == nil)
    #expect(plan.stepCount == convs + pools + gemms, "\(plan.kernelCountsLine)")
  }

  static func counted(_ ops: [String]) -> String {
    var counts: [String: Int] = [:]
    for op in ops { counts[op, default: 0] += 1 }
    return counts.isEmpty ? "nothing" : counts.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }
      .joined(separator: " ")
  }
}
