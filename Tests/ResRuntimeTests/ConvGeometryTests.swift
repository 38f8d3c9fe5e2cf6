import ResPlan
import Testing

@testable import ResRuntime

/// Convolutions of seeded random geometry against the naive convolution, through
/// `ConvOperatorTests.matchesNaiveConvolution` (one thread and three bit-identical, every weight packing): 1-D
/// and 2-D, 1–24 input channels in 1–4 groups, 1–40 output channels, windows 1–4 on each axis (1x1 included),
/// strides 1–3, dilations 1–2 (a third of them a ResNet block's 3x3 at stride 1 or 2 with 16–24 channels), uneven
/// pads, batches of 1 and 2, residuals, activations and computed weights. Each
/// geometry lands on whichever method `ConvMethod` picks (Winograd, grid, direct, pointwise, subsampled,
/// im2col), so the methods meet shapes no hand-written case thought of.
@Suite struct ConvGeometryTests {
  /// A grouped 3x3 takes channels-last Winograd only with enough output positions × channels per group
  /// (`ConvMethod.groupedWinogradMinimumWork`); one group keeps the plain Winograd rule.
  @Test func groupedWinogradNeedsEnoughWorkPerGroup() {
    func method(side: Int, groups: Int, channelsPerGroup: Int) -> ConvMethod {
      ConvMethod.chooseChannelsLast(
        ConvShape(
          input: [1, side, side], output: [1, side, side], kernel: [1, 3, 3], strides: [1, 1, 1],
          dilations: [1, 1, 1], padsBegin: [0, 1, 1], padsEnd: [0, 1, 1], groups: groups,
          channelsPerGroup: channelsPerGroup, outputChannelsPerGroup: channelsPerGroup), reach: .broad)
    }
    #expect(method(side: 7, groups: 25, channelsPerGroup: 16) == .channelsLastGemm)
    #expect(method(side: 14, groups: 10, channelsPerGroup: 16) == .channelsLastGemm)
    #expect(method(side: 7, groups: 8, channelsPerGroup: 64) == .channelsLastGemm)
    #expect(method(side: 28, groups: 16, channelsPerGroup: 16) == .channelsLastWinograd)
    #expect(method(side: 14, groups: 8, channelsPerGroup: 64) == .channelsLastWinograd)
    #expect(method(side: 7, groups: 8, channelsPerGroup: 128) == .channelsLastWinograd)
    #expect(method(side: 7, groups: 1, channelsPerGroup: 16) == .channelsLastWinograd)
  }

  /// A 3x3 whose output has fewer than `ConvMethod.smallWinogradPlaneTiles` F(2x2) tiles takes channels-last
  /// Winograd only from `smallWinogradPlaneMinimumChannels` input channels; larger planes keep the plain rule.
  @Test func smallPlanesNeedManyChannelsForWinograd() {
    func method(side: Int, channels: Int, outputChannels: Int) -> ConvMethod {
      ConvMethod.chooseChannelsLast(
        ConvShape(
          input: [1, side, side], output: [1, side, side], kernel: [1, 3, 3], strides: [1, 1, 1],
          dilations: [1, 1, 1], padsBegin: [0, 1, 1], padsEnd: [0, 1, 1], groups: 1,
          channelsPerGroup: channels, outputChannelsPerGroup: outputChannels), reach: .broad)
    }
    #expect(method(side: 5, channels: 64, outputChannels: 256) == .channelsLastGemm)
    #expect(method(side: 6, channels: 96, outputChannels: 96) == .channelsLastGemm)
    #expect(method(side: 6, channels: 160, outputChannels: 160) == .channelsLastWinograd)
    #expect(method(side: 5, channels: 256, outputChannels: 256) == .channelsLastWinograd)
    #expect(method(side: 7, channels: 64, outputChannels: 64) == .channelsLastWinograd)
    #expect(method(side: 7, channels: 16, outputChannels: 16) == .channelsLastWinograd)
    // The row-major method keeps Winograd's own rule.
    let small = ConvShape(
      input: [1, 5, 5], output: [1, 5, 5], kernel: [1, 3, 3], strides: [1, 1, 1], dilations: [1, 1, 1],
      padsBegin: [0, 1, 1], padsEnd: [0, 1, 1], groups: 1, channelsPerGroup: 64, outputChannelsPerGroup: 256)
    #expect(ConvMethod.choose(small, weightsAreConstant: true) == .winograd)
  }

  /// From `ConvMethod.wideSmallTileWinogradChannelPairs` channel pairs a plane that takes F(2x2) tiles runs
  /// the indirect GEMM; F(4x4) planes (12 and more on a side) keep Winograd at any width, and the row-major
  /// method keeps its own rule.
  @Test func wideSmallTilePlanesTakeTheIndirectGemm() {
    func shape(side: Int, channels: Int, outputChannels: Int, groups: Int = 1) -> ConvShape {
      ConvShape(
        input: [1, side, side], output: [1, side, side], kernel: [1, 3, 3], strides: [1, 1, 1],
        dilations: [1, 1, 1], padsBegin: [0, 1, 1], padsEnd: [0, 1, 1], groups: groups,
        channelsPerGroup: channels, outputChannelsPerGroup: outputChannels)
    }
    func method(side: Int, channels: Int, outputChannels: Int, groups: Int = 1) -> ConvMethod {
      ConvMethod.chooseChannelsLast(
        shape(side: side, channels: channels, outputChannels: outputChannels, groups: groups), reach: .broad)
    }
    #expect(method(side: 7, channels: 1024, outputChannels: 1024) == .channelsLastGemm)
    #expect(method(side: 11, channels: 2048, outputChannels: 512) == .channelsLastGemm)
    #expect(method(side: 5, channels: 1024, outputChannels: 1536) == .channelsLastGemm)
    // Must not fire: fewer channel pairs (ResNet's 512 at 7x7), F(4x4) planes, narrow groups of a wide convolution.
    #expect(method(side: 7, channels: 512, outputChannels: 512) == .channelsLastWinograd)
    #expect(method(side: 5, channels: 512, outputChannels: 512) == .channelsLastWinograd)
    #expect(method(side: 7, channels: 1024, outputChannels: 1023) == .channelsLastWinograd)
    #expect(method(side: 12, channels: 1024, outputChannels: 1024) == .channelsLastWinograd)
    #expect(method(side: 14, channels: 2048, outputChannels: 2048) == .channelsLastWinograd)
    #expect(method(side: 7, channels: 128, outputChannels: 128, groups: 8) == .channelsLastWinograd)
    #expect(!ConvMethod.isWideSmallTileWinograd(shape(side: 7, channels: 512, outputChannels: 512), reach: .broad))
    #expect(ConvMethod.isWideSmallTileWinograd(shape(side: 7, channels: 1024, outputChannels: 1024), reach: .broad))
    // A 1x1 or a strided 3x3 is no Winograd shape, however wide.
    let strided = ConvShape(
      input: [1, 14, 14], output: [1, 7, 7], kernel: [1, 3, 3], strides: [1, 2, 2], dilations: [1, 1, 1],
      padsBegin: [0, 1, 1], padsEnd: [0, 1, 1], groups: 1, channelsPerGroup: 512, outputChannelsPerGroup: 512)
    #expect(!ConvMethod.isWideSmallTileWinograd(strided, reach: .broad))
    #expect(!ConvMethod.isWideSmallTileWinograd(strided, reach: .narrow))
    #expect(ConvMethod.choose(shape(side: 7, channels: 1024, outputChannels: 1024), weightsAreConstant: true) == .winograd)
  }

  /// A 3x3 at stride 2 takes channels-last Winograd's stride-2 transform with one group, 64 to 512 channels in
  /// and out, and an output of 12 or more on a side (`ConvMethod.stridedWinogradMinimumChannels`, `…Side`,
  /// `…MaximumChannelPairs`), or of 7 to 11 with 256 × 256 to 1024 × 1024 channel pairs
  /// (`stridedSmallPlaneWinogradChannelPairs`); anything else keeps the indirect GEMM, and the row-major method
  /// never takes it.
  @Test func strideTwoWinogradNeedsChannelsAndAPlane() throws {
    func shape(
      input: Int, channels: Int, outputChannels: Int, groups: Int = 1, strides: [Int] = [1, 2, 2],
      dilations: [Int] = [1, 1, 1]
    ) -> ConvShape {
      let output = (input + 2 - 2 * dilations[1] - 1) / strides[1] + 1
      return ConvShape(
        input: [1, input, input], output: [1, output, (input + 2 - 2 * dilations[2] - 1) / strides[2] + 1],
        kernel: [1, 3, 3], strides: strides, dilations: dilations, padsBegin: [0, 1, 1], padsEnd: [0, 1, 1],
        groups: groups, channelsPerGroup: channels / groups, outputChannelsPerGroup: outputChannels / groups)
    }
    func method(_ shape: ConvShape) -> ConvMethod { ConvMethod.chooseChannelsLast(shape, reach: .broad) }
    let resnet = shape(input: 56, channels: 128, outputChannels: 128)
    #expect(method(resnet) == .channelsLastWinograd)
    #expect(method(shape(input: 28, channels: 256, outputChannels: 256)) == .channelsLastWinograd)
    #expect(method(shape(input: 24, channels: 64, outputChannels: 512)) == .channelsLastWinograd)
    let layout = try #require(ConvMethod.channelsLastWinograd.weightLayout(resnet, widths: .init(gemmRows: 6, gemmColumns: 16, directConvLanes: 16)))
    #expect(layout.winogradStride == 2 && layout.winogradOutputTile == 4 && layout.matrices == 36)
    // ResNet's 28 → 14 and 14 → 7: 2×2 tiles, 16 matrices.
    let widths = PanelWidths(gemmRows: 6, gemmColumns: 16, directConvLanes: 16)
    let smallPlanes = [
      shape(input: 28, channels: 256, outputChannels: 256), shape(input: 14, channels: 512, outputChannels: 512),
    ]
    for small in smallPlanes {
      #expect(method(small) == .channelsLastWinograd)
      let smallLayout = try #require(ConvMethod.channelsLastWinograd.weightLayout(small, widths: widths))
      #expect(smallLayout.winogradStride == 2 && smallLayout.winogradOutputTile == 2 && smallLayout.matrices == 16)
    }
    #expect(method(shape(input: 14, channels: 256, outputChannels: 512)) == .channelsLastWinograd)
    #expect(method(shape(input: 20, channels: 1024, outputChannels: 1024)) == .channelsLastWinograd)
    // Must not fire: few channels, a small output, too many channel pairs, groups, dilation, unequal strides.
    #expect(method(shape(input: 56, channels: 32, outputChannels: 128)) == .channelsLastGemm)
    #expect(method(shape(input: 56, channels: 128, outputChannels: 48)) == .channelsLastGemm)
    #expect(method(shape(input: 22, channels: 128, outputChannels: 128)) == .channelsLastGemm)
    #expect(method(shape(input: 14, channels: 128, outputChannels: 256)) == .channelsLastGemm)
    #expect(method(shape(input: 12, channels: 512, outputChannels: 512)) == .channelsLastGemm)
    #expect(method(shape(input: 14, channels: 1024, outputChannels: 2048)) == .channelsLastGemm)
    #expect(method(shape(input: 28, channels: 512, outputChannels: 1024)) == .channelsLastGemm)
    #expect(method(shape(input: 56, channels: 256, outputChannels: 256, groups: 2)) == .channelsLastGemm)
    #expect(method(shape(input: 56, channels: 128, outputChannels: 128, dilations: [1, 2, 2])) == .channelsLastGemm)
    #expect(method(shape(input: 56, channels: 128, outputChannels: 128, strides: [1, 2, 1])) == .channelsLastGemm)
    #expect(ConvMethod.choose(resnet, weightsAreConstant: true) != .winograd)
  }

  /// The `narrow` reach runs the indirect GEMM at stride 2 and on F(2x2) planes from
  /// `ConvMethod.narrowSmallTileWinogradChannelPairs`; every other geometry gets `broad`'s method.
  @Test func narrowReachTakesTheGemmWhereWinogradSavesLeast() {
    func shape(input: Int, channels: Int, outputChannels: Int, stride: Int = 1, groups: Int = 1) -> ConvShape {
      let output = (input + 2 - 3) / stride + 1
      return ConvShape(
        input: [1, input, input], output: [1, output, output], kernel: [1, 3, 3], strides: [1, stride, stride],
        dilations: [1, 1, 1], padsBegin: [0, 1, 1], padsEnd: [0, 1, 1], groups: groups,
        channelsPerGroup: channels / groups, outputChannelsPerGroup: outputChannels / groups)
    }
    func narrow(_ shape: ConvShape) -> ConvMethod { ConvMethod.chooseChannelsLast(shape, reach: .narrow) }
    #expect(narrow(shape(input: 56, channels: 128, outputChannels: 128, stride: 2)) == .channelsLastGemm)
    #expect(narrow(shape(input: 28, channels: 256, outputChannels: 256, stride: 2)) == .channelsLastGemm)
    #expect(narrow(shape(input: 7, channels: 512, outputChannels: 512)) == .channelsLastGemm)
    #expect(narrow(shape(input: 7, channels: 384, outputChannels: 384)) == .channelsLastGemm)
    // Must not fire: fewer channel pairs on a small plane, F(4x4) planes however wide, narrow groups.
    #expect(narrow(shape(input: 7, channels: 256, outputChannels: 512)) == .channelsLastWinograd)
    #expect(narrow(shape(input: 7, channels: 383, outputChannels: 384)) == .channelsLastWinograd)
    #expect(narrow(shape(input: 14, channels: 512, outputChannels: 512)) == .channelsLastWinograd)
    #expect(narrow(shape(input: 56, channels: 64, outputChannels: 64)) == .channelsLastWinograd)
    #expect(narrow(shape(input: 7, channels: 1024, outputChannels: 1024, groups: 8)) == .channelsLastWinograd)
    // Elsewhere the reaches agree, and where they differ `broad` is Winograd and `narrow` the GEMM.
    for input in [5, 7, 11, 14, 28, 56] {
      for channels in [16, 64, 128, 256, 384, 512, 1024] {
        for stride in [1, 2] {
          let geometry = shape(input: input, channels: channels, outputChannels: channels, stride: stride)
          let broad = ConvMethod.chooseChannelsLast(geometry, reach: .broad)
          let isReachDependent = stride == 2 || ConvMethod.isWideSmallTileWinograd(geometry, reach: .narrow)
          #expect(
            narrow(geometry) == broad || (isReachDependent && broad == .channelsLastWinograd && narrow(geometry) == .channelsLastGemm),
            "\(input)x\(input), \(channels) channels, stride \(stride)")
          #expect(ConvMethod.storesEachOutputOnce(geometry, reach: .narrow) == (narrow(geometry) == .channelsLastWinograd))
        }
      }
    }
  }

  /// The runtime reads the reach back from the recorded layout: Winograd-transformed weights are `broad`'s,
  /// panels `narrow`'s, weights stored as ONNX's name none.
  @Test func theReachFollowsTheRecordedWeights() throws {
    let geometry = ConvShape(
      input: [1, 7, 7], output: [1, 7, 7], kernel: [1, 3, 3], strides: [1, 1, 1], dilations: [1, 1, 1],
      padsBegin: [0, 1, 1], padsEnd: [0, 1, 1], groups: 1, channelsPerGroup: 512, outputChannelsPerGroup: 512)
    let widths = PanelWidths(gemmRows: 6, gemmColumns: 16, directConvLanes: 16)
    for reach in WinogradReach.allCases {
      let method = ConvMethod.chooseChannelsLast(geometry, reach: reach)
      let layout = try #require(method.weightLayout(geometry, widths: widths))
      #expect(WinogradReach.followingPlan(layout) == reach)
      #expect(ConvMethod.chooseChannelsLast(geometry, reach: try #require(WinogradReach.followingPlan(layout))) == method)
    }
    #expect(WinogradReach.followingPlan(nil) == nil)
  }

  /// Windows that never overlap, with at least `ConvMethod.patchMinimumOutputChannels` output channels per
  /// group, copy their im2col matrix and run on the GEMM (`subsampled`); overlapping, padded or dilated
  /// windows, too few output channels, and a stem the grid method takes keep their methods.
  @Test func patchEmbeddingsTakeTheSampledGemm() {
    func shape(
      input: [Int], channels: Int, outputChannels: Int, kernel: [Int], strides: [Int], groups: Int = 1,
      pads: [Int] = [0, 0], dilations: [Int] = [1, 1]
    ) -> ConvShape {
      let output = (0..<2).map { (axis: Int) -> Int in
        let window: Int = dilations[axis] * (kernel[axis] - 1) + 1
        return (input[axis] + 2 * pads[axis] - window) / strides[axis] + 1
      }
      return ConvShape(
        input: [1] + input, output: [1] + output, kernel: [1] + kernel, strides: [1] + strides,
        dilations: [1] + dilations, padsBegin: [0] + pads, padsEnd: [0] + pads, groups: groups,
        channelsPerGroup: channels / groups, outputChannelsPerGroup: outputChannels / groups)
    }
    func method(_ shape: ConvShape) -> ConvMethod { ConvMethod.choose(shape, weightsAreConstant: true) }
    let vit = shape(input: [224, 224], channels: 3, outputChannels: 192, kernel: [16, 16], strides: [16, 16])
    #expect(vit.hasDisjointWindows)
    #expect(method(vit) == .subsampled)
    #expect(method(shape(input: [224, 224], channels: 3, outputChannels: 96, kernel: [4, 4], strides: [4, 4])) == .subsampled)
    #expect(method(shape(input: [56, 56], channels: 96, outputChannels: 192, kernel: [2, 2], strides: [2, 2])) == .subsampled)
    #expect(method(shape(input: [30, 30], channels: 8, outputChannels: 192, kernel: [2, 3], strides: [3, 3], groups: 2)) == .subsampled)
    // Must not fire: too few output channels (per group), overlapping, padded or dilated windows, and a 2x2/2
    // stem on three channels, which the grid method takes.
    #expect(method(shape(input: [224, 224], channels: 3, outputChannels: 64, kernel: [16, 16], strides: [16, 16])) == .direct)
    #expect(method(shape(input: [30, 30], channels: 8, outputChannels: 192, kernel: [3, 3], strides: [3, 3], groups: 4)) == .direct)
    #expect(method(shape(input: [56, 56], channels: 96, outputChannels: 192, kernel: [3, 3], strides: [2, 2])) != .subsampled)
    #expect(method(shape(input: [56, 56], channels: 96, outputChannels: 192, kernel: [4, 4], strides: [4, 4], pads: [1, 1])) == .direct)
    #expect(method(shape(input: [56, 56], channels: 96, outputChannels: 192, kernel: [2, 2], strides: [4, 4], dilations: [2, 2])) == .direct)
    #expect(method(shape(input: [224, 224], channels: 3, outputChannels: 96, kernel: [2, 2], strides: [2, 2])) == .grid)
  }

  @Test func randomGeometriesMatchTheNaiveConvolution() throws {
    var random = SeededGenerator(seed: 2026)
    let activations: [Rescompile_Plan_Activation.Kind] = [.none, .relu, .clip, .leakyRelu]
    var checked = 0
    while checked < 120 {
      // Every third case is a ResNet block's 3x3 at stride 1 (Winograd's shape) or 2, with 16–24 channels in
      // and out; the rest anything.
      let isResNetWindow = checked % 3 == 0
      let rank = isResNetWindow || random.next() % 4 != 0 ? 2 : 1
      let groups = isResNetWindow ? 1 : [1, 1, 2, 4][Int(random.next() % 4)]
      let channels =
        isResNetWindow
        ? Int(random.next() % 9) + 16 : groups * (Int(random.next() % 6) + 1) * (random.next() % 3 == 0 ? 4 : 1)
      let outputChannels = isResNetWindow ? Int(random.next() % 9) + 16 : groups * (Int(random.next() % 10) + 1)
      let step = Int(random.next() % 2) + 1
      let kernel = isResNetWindow ? [3, 3] : (0..<rank).map { _ in Int(random.next() % 4) + 1 }
      let strides = isResNetWindow ? [step, step] : (0..<rank).map { _ in Int(random.next() % 3) + 1 }
      let dilations = isResNetWindow ? [1, 1] : (0..<rank).map { _ in random.next() % 4 == 0 ? 2 : 1 }
      let spatial = (0..<rank).map { _ in Int(random.next() % 20) + 1 }
      let windows = (0..<rank).map { (kernel[$0] - 1) * dilations[$0] + 1 }
      let pads = (0..<2 * rank).map { Int(random.next() % UInt64(windows[$0 % rank])) }
      let spans = (0..<rank).map { spatial[$0] + pads[$0] + pads[$0 + rank] }
      guard (0..<rank).allSatisfy({ spans[$0] >= windows[$0] }) else { continue }
      let spec = ConvOperatorTests.Case(
        batch: Int(random.next() % 2) + 1, channels: channels, outputChannels: outputChannels, spatial: spatial,
        kernel: kernel, strides: strides, dilations: dilations, pads: pads, group: groups,
        bias: random.next() % 2 == 0, residual: random.next() % 2 == 0,
        activation: activations[Int(random.next() % UInt64(activations.count))], constantWeights: random.next() % 4 != 0)
      try ConvOperatorTests().matchesNaiveConvolution(spec)
      checked += 1
    }
  }
}
