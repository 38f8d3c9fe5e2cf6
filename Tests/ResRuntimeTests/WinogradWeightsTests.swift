import ResKernels
import ResPlan
import Testing

@testable import ResRuntime

/// Winograd weights stored transformed in the plan (plan.proto `PanelPacking.winograd_output_tile`): used in
/// place when they are in the layout the runtime computes with, transformed at load from ONNX layout or from
/// other panels, with the same bits either way; a transform for either tile runs in that tile; one in panels
/// of another width, or on a step whose method reads plain panels, is refused since it cannot be undone;
/// malformed descriptors are refused before a byte is read.
@Suite struct WinogradWeightsTests {
  static func params() -> Rescompile_Plan_Step.OneOf_Params {
    var params = Rescompile_Plan_ConvParams()
    params.kernelShape = [3, 3]
    params.pads = [1, 1, 1, 1]
    return .conv(params)
  }

  /// A 16 → `outputChannels` 3×3 convolution of a `side × side` image, W in `packing`.
  static func operands(side: Int, outputChannels: Int = 16, packing: PanelLayout?) -> [StepOperand] {
    var random = SeededGenerator(seed: 21)
    let x = StepOperand([1, 16, side, side], floats: random.floats(16 * side * side))
    var w = StepOperand([outputChannels, 16, 3, 3], floats: random.floats(outputChannels * 16 * 9), constant: true)
    w.packing = packing
    return [x, w]
  }

  static func layout(tile: Int, outputChannels: Int = 16) throws -> PanelLayout {
    try #require(WinogradFilter.layout(outputTile: tile, groups: 1, rows: outputChannels, depth: 16, width: 6))
  }

  /// The Winograd weights the loaded convolution step computes with, or nil when it runs another method.
  static func weights(side: Int, packing: PanelLayout?) throws -> WinogradWeights? {
    let plan = try StepHarness.builder(
      .f32ConvNCHWGeneric, params(), inputs: operands(side: side, packing: packing),
      outputs: [(.f32, [1, 16, side, side])]
    ).plan()
    let conv = try #require(plan.program.steps[0].operation as? ConvOperator)
    guard case .winograd(let winograd) = conv.method else { return nil }
    return winograd.weights
  }

  @Test(arguments: [(6, 2), (12, 4)])
  func transformedWeightsAreUsedInPlace(side: Int, tile: Int) throws {
    let inPlan = try #require(try Self.weights(side: side, packing: Self.layout(tile: tile)))
    #expect(inPlan.isBorrowed)
    #expect(inPlan.layout == (try Self.layout(tile: tile)))
    let atLoad = try #require(try Self.weights(side: side, packing: nil))
    #expect(!atLoad.isBorrowed)
    let directPanels = PanelLayout(width: 16, matrices: 1, rows: 16, depth: 144, matrixStride: 2304, rowStride: 144, depthStride: 1)
    let fromPanels = try #require(try Self.weights(side: side, packing: directPanels))
    #expect(!fromPanels.isBorrowed, "other panels are unpacked and transformed")
  }

  /// The plan's transformed bytes give the same bits as transforming ONNX-layout (or otherwise packed) weights
  /// at load.
  @Test(arguments: [(6, 2), (12, 4)])
  func resultsAreIdenticalWhereverTheTransformRan(side: Int, tile: Int) throws {
    let outputs: [(ElementType, [Int])] = [(.f32, [1, 16, side, side])]
    let directPanels = PanelLayout(width: 16, matrices: 1, rows: 16, depth: 144, matrixStride: 2304, rowStride: 144, depthStride: 1)
    let results = try [Self.layout(tile: tile), nil, directPanels].map { packing in
      try StepHarness.run(.f32ConvNCHWGeneric, Self.params(), inputs: Self.operands(side: side, packing: packing), outputs: outputs)
    }
    #expect(results[0] == results[1])
    #expect(results[0] == results[2])
    #expect(!results[0][0].contains { $0.isNaN })
  }

  /// Weights transformed for the tile the geometry would not pick (`--winograd-tile`: F(2×2) on a 12×12
  /// output, F(4×4) on a 6×6 one) are used in place and computed in their tile, within rounding of the
  /// geometry's tile.
  @Test(arguments: [(6, 4), (12, 2)])
  func aTransformForTheOtherTileRunsInThatTile(side: Int, tile: Int) throws {
    let inPlan = try #require(try Self.weights(side: side, packing: Self.layout(tile: tile)))
    #expect(inPlan.isBorrowed)
    #expect(inPlan.variant.outputTile == tile)
    let outputs: [(ElementType, [Int])] = [(.f32, [1, 16, side, side])]
    let results = try [Self.layout(tile: tile), nil].map { packing in
      try StepHarness.run(.f32ConvNCHWGeneric, Self.params(), inputs: Self.operands(side: side, packing: packing), outputs: outputs)
    }
    // Sums of 144 products of values in [-1, 1]: outputs up to ~15, where a float's ulp is ~1e-6.
    let largest = zip(results[0][0], results[1][0]).map { abs($0 - $1) }.max() ?? .nan
    let scale = results[1][0].map(abs).max() ?? .nan
    #expect(largest < 1e-5 * scale, "largest difference \(largest) on outputs up to \(scale)")
  }

  /// Weights transformed for a stride-2 convolution on a stride-1 step: a transform for another geometry,
  /// refused like any other the step does not compute.
  @Test func aStrideTwoTransformOnAStrideOneStepIsRefused() throws {
    let strided = try #require(WinogradFilter.layout(outputTile: 4, stride: 2, groups: 1, rows: 16, depth: 16, width: 6))
    #expect(
      StepHarness.rejects(
        .f32ConvNCHWGeneric, Self.params(), inputs: Self.operands(side: 12, packing: strided),
        outputs: [(.f32, [1, 16, 12, 12])], containing: "recompile the plan"))
  }

  /// Weights transformed in panels of a width the row-major Winograd kernel does not read (16): refused,
  /// naming the step, since a transform cannot be undone.
  @Test func aTransformForAnotherWidthIsRefused() throws {
    let sixteenWide = try #require(WinogradFilter.layout(outputTile: 4, groups: 1, rows: 16, depth: 16, width: 16))
    #expect(
      StepHarness.rejects(
        .f32ConvNCHWGeneric, Self.params(), inputs: Self.operands(side: 12, packing: sixteenWide),
        outputs: [(.f32, [1, 16, 12, 12])], containing: "recompile the plan"))
  }

  /// Winograd weights on a convolution the runtime computes directly (8 output channels) cannot be unpacked.
  @Test func aTransformOnAnotherMethodIsRefused() throws {
    #expect(
      StepHarness.rejects(
        .f32ConvNCHWGeneric, Self.params(),
        inputs: Self.operands(side: 6, outputChannels: 8, packing: try Self.layout(tile: 2, outputChannels: 8)),
        outputs: [(.f32, [1, 8, 6, 6])], containing: "recompile the plan"))
  }

  @Test func malformedWinogradLayoutsAreRefused() throws {
    let layout = try Self.layout(tile: 4)
    let cases: [(String, (inout Rescompile_Plan_PanelPacking) -> Void)] = [
      ("output tile 3", { $0.winogradOutputTile = 3 }),
      ("whole groups", { $0.winogradOutputTile = 2 }),
      ("do not cover", { $0.rows = 15 }),
      ("not those of", { $0.depthStride = 1 }),
      ("not those of", { $0.matrixStride = 0 }),
      // There is no stride but 1 and 2; a stride-2 transform (here its 2x2 tile) is another geometry's.
      ("not one this format has", { $0.winogradStride = 3 }),
      ("recompile the plan", {
        $0.winogradOutputTile = 2
        $0.winogradStride = 2
        $0.matrices = 16
      }),
    ]
    for (fragment, edit) in cases {
      var builder = StepHarness.builder(
        .f32ConvNCHWGeneric, Self.params(), inputs: Self.operands(side: 12, packing: layout),
        outputs: [(.f32, [1, 16, 12, 12])])
      edit(&builder.metadata.buffers[1].packing)
      Self.expectRefused(builder, fragment)
    }
    #expect(
      PanelLayout(width: 6, matrices: 36, rows: Int.max, depth: 0, matrixStride: 0, rowStride: 0, depthStride: 9,
        winogradOutputTile: 4).problem(elementCount: 0)?.contains("overflow") == true)
  }

  static func expectRefused(
    _ builder: PlanBuilder, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    do {
      _ = try builder.plan()
      Issue.record("the plan loaded; expected '\(fragment)'", sourceLocation: sourceLocation)
    } catch {
      #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
    }
  }

  /// A descriptor claiming the transformed size (4× the weights for F(4×4)) over row-major bytes: the extent
  /// check refuses it before anything reads past the constant section.
  @Test func aTransformedExtentPastTheSectionIsRefused() throws {
    var builder = StepHarness.builder(
      .f32ConvNCHWGeneric, Self.params(), inputs: Self.operands(side: 12, packing: nil),
      outputs: [(.f32, [1, 16, 12, 12])])
    builder.metadata.buffers[1].packing = try Self.layout(tile: 4).message
    Self.expectRefused(builder, "exceed the")
  }
}
