import ResCompiler
import ResTestSupport
import Testing

@testable import ResRuntime

/// A compiled model's weights are stored in the plan in exactly the panels the runtime's kernels read
/// (Winograd's transformed too), so loading uses every one in place and packs nothing (the rule is shared:
/// ResPlan's `ConvMethod`, `WinogradFilter` and `DenseWeightLayouts`).
@Suite struct PackedWeightExecutionTests {
  @Test(arguments: ["resnet_basic", "resnet_bottleneck", "mobilenetv2", "vit_tiny", "efficientnet"])
  func compiledWeightsAreUsedInPlace(_ fixture: String) throws {
    let compiled = try LoadedModel(contentsOf: RepoPaths.fixtureModel(fixture)).compile()
    let plan = try Plan(bytes: compiled.bytes)
    var panels = 0
    var winogradSteps = 0
    var fewPositionSteps = 0
    for step in plan.program.steps {
      for isBorrowed in Self.weightsBorrowed(by: step.operation) {
        #expect(isBorrowed, "\(step.site) packs its weights at load")
        panels += 1
      }
      if let conv = step.operation as? ConvOperator {
        switch conv.method {
        case .winograd, .channelsLast(.winograd): winogradSteps += 1
        case .fewPositions: fewPositionSteps += 1
        default: break
        }
      }
    }
    #expect(panels > 0)
    if fixture == "resnet_basic" { #expect(winogradSteps > 0, "its 3x3 convolutions run Winograd") }
    if fixture == "efficientnet" {
      #expect(fewPositionSteps > 0, "its squeeze-and-excitation convolutions (one position) run channels-last")
    }
  }

  /// For each set of packed (or transformed) weights an operator holds, whether they are the plan's bytes.
  static func weightsBorrowed(by operation: any Operator) -> [Bool] {
    switch operation {
    case let conv as ConvOperator:
      switch conv.method {
      case .pointwise(let packed), .subsampled(let packed), .im2col(let packed): (packed ?? []).map(\.isBorrowed)
      case .direct(let direct): direct.weights.map(\.isBorrowed)
      case .fewPositions(let few): few.convolution.weights.map(\.isBorrowed)
      case .grid(let grid): [grid.weights.isBorrowed]
      case .channelsLast(.grid(let grid)): [grid.weights.isBorrowed]
      case .channelsLast(.pointwise(let pointwise)): [pointwise.weights.isBorrowed]
      case .winograd(let winograd): [winograd.weights.isBorrowed]
      case .depthwise, .channelsLast(.depthwise): []
      case .channelsLast(.gemm(let gemm)): gemm.weights.map(\.isBorrowed)
      case .channelsLast(.winograd(let winograd)): [winograd.weights.isBorrowed]
      }
    case let matMul as MatMulOperator: (matMul.packedB ?? []).map(\.isBorrowed)
    case let gemm as GemmOperator: [gemm.packedA, gemm.packedB].compactMap { $0?.isBorrowed }
    default: []
    }
  }
}
