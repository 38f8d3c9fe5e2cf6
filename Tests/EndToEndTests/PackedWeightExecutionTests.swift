import ResCompiler
import ResTestSupport
import Testing

@testable import ResRuntime

/// A compiled model's weights are stored in the plan in exactly the panels the runtime's kernels read, so
/// loading uses every one in place and packs nothing (the rule is shared: ResPlan's `ConvMethod` and
/// `DenseWeightLayouts`).
@Suite struct PackedWeightExecutionTests {
  @Test(arguments: ["resnet_bottleneck", "mobilenetv2", "vit_tiny"])
  func compiledWeightsAreUsedInPlace(_ fixture: String) throws {
    let compiled = try LoadedModel(contentsOf: RepoPaths.fixtureModel(fixture)).compile()
    let plan = try Plan(bytes: compiled.bytes)
    var panels = 0
    for step in plan.program.steps {
      for weights in Self.panels(of: step.operation) {
        #expect(weights.isBorrowed, "\(step.site) packs its weights at load")
        panels += 1
      }
    }
    #expect(panels > 0)
  }

  /// The packed weights an operator holds.
  static func panels(of operation: any Operator) -> [PackedPanels] {
    switch operation {
    case let conv as ConvOperator:
      switch conv.method {
      case .pointwise(let packed), .subsampled(let packed), .im2col(let packed): packed ?? []
      case .direct(let direct): direct.weights
      // Winograd's weights are still transformed from the plan's ONNX-layout bytes at load.
      case .depthwise, .winograd: []
      }
    case let matMul as MatMulOperator: matMul.packedB ?? []
    case let gemm as GemmOperator: [gemm.packedA, gemm.packedB].compactMap { $0 }
    default: []
    }
  }
}
