import ResCompiler
import ResPlan
import ResReference
import ResTestSupport
import Testing

@testable import ResRuntime

/// `WinogradReach` (`--winograd-reach`): the compiler packs the 3x3s whose method depends on the machine (at
/// stride 2, and wide ones on F(2x2) planes) for Winograd (`broad`) or the indirect GEMM (`narrow`), and the
/// runtime runs what the plan's weights were packed for, from its bytes in place, whatever machine it is on
/// (this one's own reach is either). Both match the reference evaluator.
@Suite struct WinogradReachExecutionTests {
  /// The method each convolution step runs: true for Winograd, false for the indirect GEMM, with whether
  /// its weights are the plan's bytes.
  static func convolutionMethods(_ plan: Plan) -> [(isWinograd: Bool, isBorrowed: Bool)] {
    plan.program.steps.compactMap { step in
      guard let conv = step.operation as? ConvOperator else { return nil }
      switch conv.method {
      case .channelsLast(.winograd(let winograd)): return (true, winograd.weights.isBorrowed)
      case .channelsLast(.gemm(let gemm)): return (false, gemm.weights.allSatisfy(\.isBorrowed))
      default: return nil
      }
    }
  }

  /// ResNet's stride-2 3x3 (64 channels, 24x24 → 12x12) and a 384-channel 3x3 on a 5x5 plane (F(2x2) tiles,
  /// at `ConvMethod.narrowSmallTileWinogradChannelPairs`).
  @Test(arguments: [(24, 64, 2), (5, 384, 1)])
  func eachReachRunsWhatItPackedAndMatchesTheReference(shape: (side: Int, channels: Int, stride: Int)) throws {
    let graph = try WinogradTileExecutionTests.convolution(
      height: shape.side, width: shape.side, channels: shape.channels, stride: shape.stride)
    let inputs = try SeededInputs.make(for: graph, seed: 11)
    let expected = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    for reach in WinogradReach.allCases {
      let options = CodegenOptions(activationLayout: .channelsLast, winogradReach: reach)
      let plan = try Plan(bytes: try PlanGenerator.generate(graph, options: options).bytes)
      let label = "\(shape.side)x\(shape.side), \(shape.channels) channels, stride \(shape.stride), \(reach)"
      let methods = Self.convolutionMethods(plan)
      let isWinograd = methods.map { $0.isWinograd }
      let isBorrowed = methods.allSatisfy { $0.isBorrowed }
      #expect(isWinograd == [reach == .broad], "\(label)")
      #expect(isBorrowed, "\(label): the plan's packed weights are used in place")
      let actual = try PlanExecution.run(graph, options: options, inputs: inputs, threads: 2)
      #expect(PlanExecution.mismatch(actual, expected, rtol: 1e-4, atol: 1e-4) == nil, "\(label)")
    }
  }
}
