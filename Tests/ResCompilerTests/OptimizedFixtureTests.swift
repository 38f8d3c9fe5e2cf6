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

  /// Pre-activation ResNet: every Add is fused into a conv epilogue; a BatchNorm before a ReLU with no conv
  /// in front of it (BN → ReLU → conv) is not folded by batchnorm-folding. What is left is printed.
  @Test func preActivationResNetLeavesOnlyPreActivations() throws {
    let optimized = try LoadedModel(contentsOf: RepoPaths.fixtureModel("resnet_preact")).optimized()
    let ops = try Self.jsonOps(optimized.graph)
    #expect(!ops.contains("Add") && !ops.contains("Sum"))
    let positions = optimized.graph.nodePositions()
    let uses = UseList(optimized.graph)
    for node in optimized.graph.nodes where node.op.onnxName == "BatchNormalization" {
      let readers = uses[node.outputs[0]].compactMap { use -> String? in
        guard case .operand(let id, _) = use, let position = positions[id] else { return nil }
        return optimized.graph.nodes[position].op.onnxName
      }
      #expect(readers == ["Relu"], "BatchNorm '\(node.name)' is read by \(readers), not by one pre-activation ReLU")
    }
    let left = ops.filter(Self.fusedAway.contains)
    print("resnet_preact at -O2 keeps \(left.count) ops: \(Self.counted(left)) (pre-activation BN → ReLU)")
  }

  /// DenseNet's BatchNorms after Concat have no conv to fold into; printed for the record.
  @Test func denseNetReportsWhatIsLeft() throws {
    let optimized = try LoadedModel(contentsOf: RepoPaths.fixtureModel("densenet")).optimized()
    let ops = try Self.jsonOps(optimized.graph)
    #expect(!ops.contains("Add"))
    print("densenet at -O2 keeps: \(Self.counted(ops.filter(Self.fusedAway.contains)))")
  }

  /// Op types of the nodes of the graph's JSON dump.
  static func jsonOps(_ graph: Graph) throws -> [String] {
    let text = graph.rendered(as: .json)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    let nodes = try #require(object["nodes"] as? [[String: Any]])
    return nodes.compactMap { $0["op"] as? String }
  }

  /// One conv kernel step per Conv of the imported model, one pool step per pooling node, one GEMM step per
  /// Gemm, and nothing else.
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
    #expect(plan.stepCount == convs + pools + gemms, "\(plan.kernelCountsLine)")
  }

  static func counted(_ ops: [String]) -> String {
    var counts: [String: Int] = [:]
    for op in ops { counts[op, default: 0] += 1 }
    return counts.isEmpty ? "nothing" : counts.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }
      .joined(separator: " ")
  }
}
