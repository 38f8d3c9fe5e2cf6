import ResCompiler
import ResPlan
import ResReference
import ResTestSupport
import Testing

@testable import ResRuntime

/// `--winograd-tile` (`WinogradTilePolicy`): the plan's 3x3 weights are transformed for the tile the policy
/// picks, on planes where the geometry alone would pick the other one too, and the runtime computes in that
/// tile from the plan's bytes in place (it derives the method from the geometry and the tile from the weights),
/// row-major and channels-last, one group and several, matching the reference evaluator.
@Suite struct WinogradTileExecutionTests {
  /// Two 3x3 convolutions over `channels` channels of `size` x `size` in `groups` groups, the second adding
  /// the input back and applying ReLU (a basic block).
  static func basicBlock(height: Int, width: Int, channels: Int, groups: Int) throws -> Graph {
    let b = GraphBuilder()
    var random = SeededGenerator(seed: UInt64(height * 1000 + width * 10 + channels))
    let image = b.input("f32[1,\(channels),\(height),\(width)]")
    func conv(_ input: ValueID, _ index: Int, residual: ValueID?) throws -> ValueID {
      let attributes = ConvAttributes(
        kernelShape: [3, 3], strides: [1, 1], dilations: [1, 1], padding: .explicit([1, 1, 1, 1]), group: groups,
        epilogue: Epilogue(residual: residual != nil, activation: .relu))
      let depth = channels / groups * 9
      let scale = 1 / Float(depth).squareRoot()
      let weights = b.graph.addConstant(
        name: "w\(index)",
        Constant(floats: random.floats(channels * depth).map { $0 * scale }, dims: [channels, channels / groups, 3, 3]))
      let bias = b.graph.addConstant(name: "b\(index)", Constant(floats: random.floats(channels), dims: [channels]))
      return try b.value(.conv(attributes), [input, weights, bias] + (residual.map { [$0] } ?? []), name: "conv\(index)")
    }
    let first = try conv(image, 1, residual: nil)
    b.graph.outputs = [try conv(first, 2, residual: image)]
    return b.graph
  }

  /// The Winograd steps of `plan` with their weights' output tile and whether they are the plan's bytes.
  static func winogradSteps(_ plan: Plan) -> [(tile: Int, isBorrowed: Bool)] {
    plan.program.steps.compactMap { step in
      guard let conv = step.operation as? ConvOperator else { return nil }
      switch conv.method {
      case .winograd(let winograd): return (winograd.variant.outputTile, winograd.weights.isBorrowed)
      case .channelsLast(.winograd(let winograd)): return (winograd.weights.variant.outputTile, winograd.weights.isBorrowed)
      default: return nil
      }
    }
  }

  @Test(arguments: [(7, 16, 1), (13, 24, 1), (20, 32, 2)], [ActivationLayoutPolicy.rowMajor, .channelsLast])
  func everyPolicyComputesInItsTileAndMatchesTheReference(
    shape: (size: Int, channels: Int, groups: Int), layout: ActivationLayoutPolicy
  ) throws {
    let graph = try Self.basicBlock(height: shape.size, width: shape.size, channels: shape.channels, groups: shape.groups)
    let inputs = try SeededInputs.make(for: graph, seed: 7)
    let expected = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    for policy in WinogradTilePolicy.allCases {
      let options = CodegenOptions(activationLayout: layout, winogradTile: policy)
      let plan = try Plan(bytes: try PlanGenerator.generate(graph, options: options).bytes)
      let steps = Self.winogradSteps(plan)
      let label = "\(shape.size)x\(shape.size), \(shape.channels) channels, \(layout), tile \(policy.rawValue)"
      #expect(steps.count == 2, "\(label): both convolutions run Winograd")
      let tile = policy.outputTile(outputHeight: shape.size, outputWidth: shape.size)
      for step in steps {
        #expect(step.tile == tile, "\(label)")
        #expect(step.isBorrowed, "\(label): the plan's transformed weights are used in place")
      }
      let actual = try PlanExecution.run(graph, options: options, inputs: inputs, threads: 2)
      #expect(PlanExecution.mismatch(actual, expected, rtol: 1e-4, atol: 1e-4) == nil, "\(label)")
    }
  }

  /// Planes smaller than a tile, or one tile high, with either tile forced (128 channels: enough for channels-last
  /// Winograd on a small plane, `ConvMethod.smallWinogradPlaneMinimumChannels`): whatever method each step runs,
  /// the plan matches the reference.
  @Test(arguments: [(1, 20), (3, 5), (5, 5), (2, 9), (9, 3)], [ActivationLayoutPolicy.rowMajor, .channelsLast])
  func forcedTilesOnSmallPlanesMatchTheReference(plane: (height: Int, width: Int), layout: ActivationLayoutPolicy)
    throws
  {
    let graph = try Self.basicBlock(height: plane.height, width: plane.width, channels: 128, groups: 1)
    let inputs = try SeededInputs.make(for: graph, seed: 3)
    let expected = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    for policy in WinogradTilePolicy.allCases {
      let options = CodegenOptions(activationLayout: layout, winogradTile: policy)
      let actual = try PlanExecution.run(graph, options: options, inputs: inputs, threads: 2)
      let label = "\(plane.height)x\(plane.width), \(layout), tile \(policy.rawValue)"
      #expect(PlanExecution.mismatch(actual, expected, rtol: 1e-4, atol: 1e-4) == nil, "\(label)")
    }
  }

  /// One 3x3 convolution at `stride` with bias and ReLU, `channels` channels of `height` x `width`, padded by 1.
  static func convolution(height: Int, width: Int, channels: Int, stride: Int = 2) throws -> Graph {
    let b = GraphBuilder()
    var random = SeededGenerator(seed: UInt64(height * 100 + width))
    let image = b.input("f32[1,\(channels),\(height),\(width)]")
    let attributes = ConvAttributes(
      kernelShape: [3, 3], strides: [stride, stride], dilations: [1, 1], padding: .explicit([1, 1, 1, 1]),
      group: 1, epilogue: Epilogue(residual: false, activation: .relu))
    let scale = 1 / Float(channels * 9).squareRoot()
    let weights = b.graph.addConstant(
      name: "w", Constant(floats: random.floats(channels * channels * 9).map { $0 * scale }, dims: [channels, channels, 3, 3]))
    let bias = b.graph.addConstant(name: "b", Constant(floats: random.floats(channels), dims: [channels]))
    b.graph.outputs = [try b.value(.conv(attributes), [image, weights, bias], name: "conv")]
    return b.graph
  }

  /// A 3x3 convolution at stride 2 with enough channels (`ConvMethod.stridedWinogradMinimumChannels`) runs a
  /// stride-2 transform channels-last, from the plan's transformed bytes in place, in the tile each policy picks
  /// (`auto`: 4×4 on 24x24 → 12x12, 2×2 on 27x25 → 14x13, whose last tiles overhang the output and read past
  /// the input); not on an 11x11 output with these channels, and not row-major. Every plan matches the
  /// reference evaluator.
  @Test(arguments: [(24, 24, true), (27, 25, true), (22, 22, false)], [ActivationLayoutPolicy.rowMajor, .channelsLast])
  func strideTwoTakesItsOwnTransform(shape: (height: Int, width: Int, strided: Bool), layout: ActivationLayoutPolicy)
    throws
  {
    let graph = try Self.convolution(height: shape.height, width: shape.width, channels: 64)
    let inputs = try SeededInputs.make(for: graph, seed: 5)
    let expected = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    for policy in WinogradTilePolicy.allCases {
      let options = CodegenOptions(activationLayout: layout, winogradTile: policy)
      let plan = try Plan(bytes: try PlanGenerator.generate(graph, options: options).bytes)
      let variants = plan.program.steps.compactMap { step -> WinogradVariant? in
        guard let conv = step.operation as? ConvOperator, case .channelsLast(.winograd(let winograd)) = conv.method
        else { return nil }
        #expect(winograd.weights.isBorrowed, "the plan's transformed weights are used in place")
        return winograd.variant
      }
      let label = "\(shape.height)x\(shape.width), \(layout), tile \(policy.rawValue)"
      let fires = shape.strided && layout == .channelsLast
      let (height, width) = ((shape.height - 1) / 2 + 1, (shape.width - 1) / 2 + 1)
      let tile = policy.stridedOutputTile(outputHeight: height, outputWidth: width)
      #expect(variants == (fires ? [WinogradVariant(outputTile: tile, stride: 2)!] : []), "\(label)")
      let actual = try PlanExecution.run(graph, options: options, inputs: inputs, threads: 2)
      #expect(PlanExecution.mismatch(actual, expected, rtol: 1e-4, atol: 1e-4) == nil, "\(label)")
    }
  }

  /// The geometry's tile is what `auto` picks: 2 below 12 on a side, 4 from 12, so the forced policies above
  /// each differ from it on one of the shapes.
  @Test func automaticFollowsTheGeometry() {
    #expect(WinogradTilePolicy.automatic.outputTile(outputHeight: 7, outputWidth: 7) == 2)
    #expect(WinogradTilePolicy.automatic.outputTile(outputHeight: 13, outputWidth: 12) == 4)
    #expect(WinogradTilePolicy.two.outputTile(outputHeight: 56, outputWidth: 56) == 2)
    // At stride 2: 2 below 12, then the tile of fewer products (81 per 4×4, 25 per 2×2), 4 on a tie.
    let strided = { (height: Int, width: Int) in
      WinogradTilePolicy.automatic.stridedOutputTile(outputHeight: height, outputWidth: width)
    }
    #expect(strided(7, 7) == 2 && strided(11, 30) == 2)
    #expect(strided(12, 12) == 4 && strided(14, 14) == 2 && strided(14, 13) == 2 && strided(15, 15) == 4)
    #expect(strided(18, 18) == 4 && strided(28, 28) == 4 && strided(56, 56) == 4)
    #expect(WinogradTilePolicy.two.stridedOutputTile(outputHeight: 56, outputWidth: 56) == 2)
    #expect(WinogradTilePolicy.four.stridedOutputTile(outputHeight: 7, outputWidth: 7) == 4)
    #expect(WinogradTilePolicy.four.outputTile(outputHeight: 7, outputWidth: 7) == 4)
    #expect(WinogradTilePolicy(outputTile: 6) == nil)
  }
}
