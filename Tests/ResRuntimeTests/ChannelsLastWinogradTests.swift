import ResKernels
import ResPlan
import Testing

@testable import ResRuntime

/// `ChannelsLastWinograd` against a naive double-precision channels-last convolution: every variant (the
/// stride-2 one on the same cases at stride 2, and on ResNet-like planes of its own) over channel counts
/// around the 16-lane vectors (1, 5, 16, 17, 40 per group), odd outputs with edge tiles, uneven pads, two
/// groups, two images and every epilogue; on one worker, on three workers of a real pool sharing one input
/// transform (or, for one block of at most 32 output channels, cutting it into smaller problems), and with
/// tiny blocks of tiles split over three workers, all bit-identical.
///
/// Tolerances are those of `WinogradConvolutionTests` (the same transforms and weights): `F(4×4)`'s larger
/// coefficients cost more rounding than `F(2×2)`'s.
@Suite struct ChannelsLastWinogradTests {
  struct Case: CustomStringConvertible, Sendable {
    var batch = 1
    var channels: Int
    var outputChannels: Int
    var spatial: [Int]
    /// Top, left, bottom, right.
    var pads: [Int]
    var groups = 1
    var bias = false
    var residual = false
    var activation: PointwiseFunction = .identity

    var description: String {
      "N\(batch) C\(channels) M\(outputChannels) in\(spatial) p\(pads) g\(groups) bias \(bias) "
        + "residual \(residual) \(activation.name)"
    }
  }

  static let cases: [Case] = [
    // One channel in and out, a 1×1 output (one partial tile).
    Case(channels: 1, outputChannels: 1, spatial: [1, 1], pads: [1, 1, 1, 1], bias: true),
    Case(channels: 5, outputChannels: 17, spatial: [3, 5], pads: [1, 0, 2, 1], residual: true, activation: .relu),
    Case(
      batch: 2, channels: 16, outputChannels: 16, spatial: [7, 9], pads: [1, 1, 1, 1], bias: true, residual: true,
      activation: .clip(min: -0.5, max: 0.6)),
    Case(channels: 17, outputChannels: 40, spatial: [13, 11], pads: [0, 2, 1, 0], bias: true, activation: .sigmoid),
    Case(channels: 40, outputChannels: 5, spatial: [5, 13], pads: [2, 1, 0, 1], residual: true),
    // Two groups of 5 → 17 and of 16 → 40 channels.
    Case(
      batch: 2, channels: 10, outputChannels: 34, spatial: [9, 7], pads: [1, 2, 0, 1], groups: 2, bias: true,
      residual: true, activation: .leakyRelu(alpha: 0.2)),
    Case(channels: 32, outputChannels: 80, spatial: [11, 13], pads: [1, 1, 1, 1], groups: 2, residual: true, activation: .relu),
    // ResNet's 7×7 layers in miniature: 16 tiles of F(2×2) (row groups of 12 and 4 on 512-bit vectors, else 6, 6
    // and 4), 4 of F(4×4).
    Case(channels: 16, outputChannels: 32, spatial: [7, 7], pads: [1, 1, 1, 1], bias: true, residual: true, activation: .relu),
    // No padding; a 1-wide output column.
    Case(channels: 17, outputChannels: 16, spatial: [6, 3], pads: [0, 0, 0, 0], bias: true, activation: .relu),
    // 49 tiles: as F(4x4), two merged blocks of 25 and 24, 12 + 12 (+ 1) tiles each on the twelve-row kernel.
    Case(channels: 24, outputChannels: 48, spatial: [28, 28], pads: [1, 1, 1, 1], bias: true, residual: true, activation: .relu),
  ]

  @Test(arguments: cases, WinogradVariant.allCases)
  func matchesNaiveConvolution(_ spec: Case, _ variant: WinogradVariant) throws {
    try check(spec, variant)
  }

  /// Stride-2 planes: ResNet's 56 → 28 in miniature channels (7 whole tiles a side), an odd input whose last
  /// tile reads past it, a plane whose tiles overhang the output (14: 4 tiles of 4), TensorFlow's SAME padding
  /// (nothing before, one after), no padding at all, and ResNet's 14 → 7 (2×2 tiles overhanging by one).
  static let stridedCases: [Case] = [
    Case(channels: 16, outputChannels: 32, spatial: [56, 56], pads: [1, 1, 1, 1], bias: true, residual: true, activation: .relu),
    Case(channels: 33, outputChannels: 20, spatial: [29, 31], pads: [1, 1, 1, 1], bias: true, activation: .relu),
    Case(
      batch: 2, channels: 24, outputChannels: 48, spatial: [28, 28], pads: [1, 1, 1, 1], residual: true,
      activation: .clip(min: -0.5, max: 0.6)),
    Case(channels: 20, outputChannels: 17, spatial: [24, 26], pads: [0, 0, 1, 1], bias: true),
    Case(channels: 17, outputChannels: 40, spatial: [27, 25], pads: [0, 0, 0, 0], residual: true),
    Case(
      channels: 32, outputChannels: 48, spatial: [14, 14], pads: [1, 1, 1, 1], bias: true, residual: true,
      activation: .relu),
  ]

  @Test(arguments: stridedCases, [WinogradVariant.f4x4Stride2, .f2x2Stride2])
  func stridedMatchesNaiveConvolution(_ spec: Case, _ variant: WinogradVariant) throws {
    try check(spec, variant)
  }

  /// The stride-2 transforms refuse a stride-1 window, and a stride-1 transform a stride-2 one.
  @Test func stridesMustMatchTheTransform() throws {
    for (variant, stride) in [(WinogradVariant.f4x4Stride2, 1), (.f2x2Stride2, 1), (.f4x4, 2), (.f2x2, 2)] {
      let layout = try #require(
        WinogradFilter.layout(
          outputTile: variant.outputTile, stride: variant.stride, groups: 1, rows: 16, depth: 16, width: 16))
      let w = [Float](repeating: 0.5, count: 16 * 16 * 9)
      let weights = try w.withUnsafeBufferPointer { try WinogradWeights(transforming: $0.baseAddress!, layout: layout) }
      #expect(weights.variant == variant)
      let axes = try Self.axes(spatial: [12, 12], pads: [1, 1, 1, 1], stride: stride)
      #expect(throws: RuntimeError.self) { try ChannelsLastWinograd(weights: weights, axes: axes) }
    }
  }

  /// Every combination of bias, residual and activation on one small convolution with edge tiles and a
  /// partial last vector of channels.
  @Test(arguments: WinogradVariant.allCases)
  func everyEpilogue(_ variant: WinogradVariant) throws {
    let activations: [PointwiseFunction] = [
      .identity, .relu, .clip(min: -0.3, max: 0.4), .leakyRelu(alpha: 0.1), .hardSwish, .sigmoid,
    ]
    for activation in activations {
      for (bias, residual) in [(false, false), (true, false), (false, true), (true, true)] {
        try check(
          Case(
            channels: 5, outputChannels: 17, spatial: [5, 7], pads: [1, 0, 1, 2], bias: bias, residual: residual,
            activation: activation), variant)
      }
    }
  }

  /// Weights in the NCHW method's 6-wide panels are refused.
  /// Output channels are cut so that the tasks divide evenly among the workers: a part per worker for one
  /// problem, two per problem for three problems on two workers when their transforms are shared, none when
  /// the problems already divide or cannot share their transforms.
  @Test func outputPartsBalanceTheWorkers() {
    #expect(ChannelsLastWinograd.outputParts(problems: 1, workers: 2, sharesTransform: true) == 2)
    #expect(ChannelsLastWinograd.outputParts(problems: 3, workers: 2, sharesTransform: true) == 2)
    #expect(ChannelsLastWinograd.outputParts(problems: 4, workers: 2, sharesTransform: true) == 1)
    #expect(ChannelsLastWinograd.outputParts(problems: 3, workers: 2, sharesTransform: false) == 1)
    #expect(ChannelsLastWinograd.outputParts(problems: 9, workers: 2, sharesTransform: true) == 1)
    #expect(ChannelsLastWinograd.outputParts(problems: 4, workers: 3, sharesTransform: true) == 3)
    #expect(ChannelsLastWinograd.outputParts(problems: 5, workers: 1, sharesTransform: true) == 1)
  }

  @Test func otherPanelWidthsAreRefused() throws {
    let layout = try #require(WinogradFilter.layout(outputTile: 2, groups: 1, rows: 8, depth: 4, width: 6))
    let w = [Float](repeating: 0.5, count: 8 * 4 * 9)
    let weights = try w.withUnsafeBufferPointer { try WinogradWeights(transforming: $0.baseAddress!, layout: layout) }
    let axes = try Self.axes(spatial: [4, 4], pads: [1, 1, 1, 1])
    #expect(throws: RuntimeError.self) { try ChannelsLastWinograd(weights: weights, axes: axes) }
  }

  /// A block of tiles fills the blocking's bytes in whole row groups, with at least its minimum of tiles.
  /// One block of tiles whose output channels cannot be split among the workers is cut into smaller problems
  /// (DenseNet-121's 14x14 layers, 128 → 32 channels: 16 tiles of F(4×4), one 32-wide product tile on an
  /// AVX-512 build), and only then: not on one worker, not when the output channels give every worker a part,
  /// not below a register tile of tiles. (`check` runs such layers on three workers and compares them bit for
  /// bit with one.)
  @Test func smallerProblemsOnlyWhereWorkersWouldIdle() throws {
    let axes = try Self.axes(spatial: [14, 14], pads: [1, 1, 1, 1])
    func winograd(outputs: Int) throws -> ChannelsLastWinograd {
      let layout = try #require(WinogradFilter.layout(outputTile: 4, groups: 1, rows: outputs, depth: 128, width: 16))
      let w = [Float](repeating: 0.25, count: outputs * 128 * 9)
      let weights = try w.withUnsafeBufferPointer { try WinogradWeights(transforming: $0.baseAddress!, layout: layout) }
      return try ChannelsLastWinograd(weights: weights, axes: axes)
    }
    let width = ChannelsLastWinograd.tileColumns
    let narrow = try winograd(outputs: width)
    #expect(narrow.tiles == 16 && narrow.blocks == 1)
    #expect(narrow.smallerProblems(batch: 1, workers: 2) == 8)
    #expect(narrow.smallerProblems(batch: 1, workers: 3) == 6)
    #expect(narrow.smallerProblems(batch: 1, workers: 1) == nil)
    #expect(narrow.smallerProblems(batch: 2, workers: 2) == nil)
    #expect(narrow.smallerProblems(batch: 1, workers: 4) == nil)
    #expect(try winograd(outputs: 2 * width).smallerProblems(batch: 1, workers: 2) == nil)
  }

  @Test func blocksOfTiles() throws {
    let axes = try Self.axes(spatial: [56, 56], pads: [1, 1, 1, 1])
    let layout = try #require(WinogradFilter.layout(outputTile: 4, groups: 1, rows: 64, depth: 64, width: 16))
    let w = [Float](repeating: 0.5, count: 64 * 64 * 9)
    let weights = try w.withUnsafeBufferPointer { try WinogradWeights(transforming: $0.baseAddress!, layout: layout) }
    let blocking = ChannelsLastWinograd.Blocking(blockBytes: 36 * 128 * 4 * 25, minimumTiles: 6)
    #expect(try ChannelsLastWinograd(weights: weights, axes: axes, blocking: blocking).tileBlock == 24)
    let minimum = ChannelsLastWinograd.Blocking(blockBytes: 1, minimumTiles: 13)
    #expect(try ChannelsLastWinograd(weights: weights, axes: axes, blocking: minimum).tileBlock == 12)
    let whole = ChannelsLastWinograd.Blocking(blockBytes: 1 << 40, minimumTiles: 6)
    #expect(try ChannelsLastWinograd(weights: weights, axes: axes, blocking: whole).tileBlock == 14 * 14)
    let standard = try ChannelsLastWinograd(weights: weights, axes: axes)
    #expect(standard.tileBlock == 24 && standard.blocks == 9, "eight whole blocks and 4 tiles: not merged")
  }

  /// An image of one or two whole blocks and a remainder spreads its tiles over the whole blocks (the
  /// standard blocking only); every other image keeps whole blocks.
  @Test func aShortImageMergesItsRemainder() throws {
    let merge = { (tiles: Int, whole: Int) in
      ChannelsLastWinograd.tilesPerBlock(tiles: tiles, whole: whole, mergesRemainder: true)
    }
    #expect(merge(49, 24) == 25 && merge(49, 18) == 25, "28x28: 24 + 24 + 1 or 18 + 18 + 13 as 25 + 24")
    #expect(merge(25, 18) == 25)
    #expect(merge(42, 18) == 21)
    #expect(merge(16, 16) == 16 && merge(36, 18) == 18, "whole blocks only")
    #expect(merge(64, 18) == 18 && merge(196, 18) == 18, "three or more whole blocks")
    #expect(ChannelsLastWinograd.tilesPerBlock(tiles: 49, whole: 18, mergesRemainder: false) == 18)
    let axes = try Self.axes(spatial: [28, 28], pads: [1, 1, 1, 1])
    let layout = try #require(WinogradFilter.layout(outputTile: 4, groups: 1, rows: 128, depth: 128, width: 16))
    let w = [Float](repeating: 0.5, count: 128 * 128 * 9)
    let weights = try w.withUnsafeBufferPointer { try WinogradWeights(transforming: $0.baseAddress!, layout: layout) }
    let winograd = try ChannelsLastWinograd(weights: weights, axes: axes)
    #expect(winograd.tiles == 49 && winograd.tileBlock == 25 && winograd.blocks == 2)
  }

  // MARK: - Running

  /// Runs `spec` three ways (standard blocks on one worker; standard blocks on three pool workers sharing the
  /// input transform; tiny blocks on three workers, each transforming its own) and compares the first with
  /// the naive convolution and the others with the first, bit for bit.
  private func check(_ spec: Case, _ variant: WinogradVariant) throws {
    var random = SeededGenerator(seed: UInt64(spec.channels * 131 + spec.outputChannels * 7 + spec.spatial[1]))
    let axes = try Self.axes(spatial: spec.spatial, pads: spec.pads, stride: variant.stride)
    let (channelsPerGroup, outputsPerGroup) = (spec.channels / spec.groups, spec.outputChannels / spec.groups)
    let data = Tensors(
      x: random.floats(spec.batch * axes.inputPlane * spec.channels),
      w: random.floats(spec.outputChannels * channelsPerGroup * 9),
      bias: spec.bias ? random.floats(spec.outputChannels) : nil,
      residual: spec.residual ? random.floats(spec.batch * axes.outputPlane * spec.outputChannels) : nil)
    let layout = try #require(
      WinogradFilter.layout(
        outputTile: variant.outputTile, stride: variant.stride, groups: spec.groups, rows: outputsPerGroup,
        depth: channelsPerGroup, width: ChannelsLastWinograd.lanes))
    let weights = try data.w.withUnsafeBufferPointer {
      try WinogradWeights(transforming: $0.baseAddress!, layout: layout)
    }
    let standard = try ChannelsLastWinograd(weights: weights, axes: axes)
    let tiny = try ChannelsLastWinograd(
      weights: weights, axes: axes, blocking: ChannelsLastWinograd.Blocking(blockBytes: 1, minimumTiles: 1))
    #expect(standard.variant == variant && tiny.tileBlock == min(GemmMicrokernel6x16.mr, tiny.tiles))

    let single = try run(standard, data, spec, workers: 1, sharesTransform: false)
    let expected = naive(spec, axes, data, stride: variant.stride)
    let reduction = Double(channelsPerGroup * 9 + 1)
    expectClose(
      single.map(Double.init), expected, absolute: WinogradConvolutionTests.tolerance(variant) * reduction,
      relative: 1e-5, "\(spec) \(variant)")
    let shared = try run(standard, data, spec, workers: 3, sharesTransform: true)
    #expect(Self.differences(shared, single) == 0, "\(spec) \(variant): three workers sharing the transform")
    let blocked = try run(tiny, data, spec, workers: 3, sharesTransform: false)
    #expect(Self.differences(blocked, single) == 0, "\(spec) \(variant): tiny blocks on three workers")
  }

  /// Elements whose bits differ (NaN included).
  private static func differences(_ a: [Float], _ b: [Float]) -> Int {
    zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count + abs(a.count - b.count)
  }

  private struct Tensors {
    var x: [Float]
    var w: [Float]
    var bias: [Float]?
    var residual: [Float]?
  }

  private static func axes(spatial: [Int], pads: [Int], stride: Int = 1) throws -> WindowAxes {
    let operands = StepOperands(
      site: StepSite(index: 0, name: "test", kernel: "test"), inputs: [], outputs: [],
      constants: UnsafeRawBufferPointer(start: nil, count: 0))
    var axes = try WindowAxes(
      input: spatial, kernelShape: [3, 3], defaultKernel: nil, strides: [Int64(stride), Int64(stride)], dilations: [],
      pads: pads.map(Int64.init), operands: operands)
    let output = try (1..<3).map { axis in try #require(axes.floorOutput(axis: axis)) }
    try axes.setOutput(output, operands)
    return axes
  }

  /// Y from `winograd` on a run context of its own (a real pool for more than one worker); with
  /// `sharesTransform`, the shared scratch the operator would reserve is offered. Y starts as NaN, so an
  /// output left unwritten fails the comparison.
  private func run(
    _ winograd: ChannelsLastWinograd, _ data: Tensors, _ spec: Case, workers: Int, sharesTransform: Bool
  ) throws -> [Float] {
    let site = StepSite(index: 0, name: "test", kernel: "test")
    let perWorker = try winograd.scratchBytes(site: site)
    var scratch = [Float](repeating: .nan, count: perWorker / 4 * workers)
    let reserved = sharesTransform ? try winograd.sharedScratchBytes(batch: spec.batch, site: site) : 0
    var shared = [Float](repeating: .nan, count: max(1, reserved / 4))
    var y = [Float](repeating: .nan, count: spec.batch * winograd.axes.outputPlane * spec.outputChannels)
    let pool = workers > 1 ? WorkerPool(helpers: workers - 1) : nil
    defer { pool?.shutDown() }
    let addresses: [UnsafeMutableRawPointer] = []
    addresses.withUnsafeBufferPointer { table in
      shared.withUnsafeMutableBytes { sharedBytes in
        scratch.withUnsafeMutableBytes { scratchBytes in
          data.x.withUnsafeBufferPointer { input in
            (data.bias ?? []).withUnsafeBufferPointer { bias in
              (data.residual ?? []).withUnsafeBufferPointer { residual in
                y.withUnsafeMutableBufferPointer { output in
                  let context = RunContext(
                    addresses: table, scratch: scratchBytes.baseAddress!, scratchStride: perWorker,
                    sharedScratch: sharedBytes.baseAddress!, threads: workers, pool: pool)
                  winograd.run(
                    context,
                    ChannelsLastWinograd.Operands(
                      input: input.baseAddress!, output: output.baseAddress!,
                      bias: data.bias == nil ? nil : bias.baseAddress,
                      residual: data.residual == nil ? nil : residual.baseAddress, activation: spec.activation,
                      batch: spec.batch,
                      sharedTransformed: reserved > 0
                        ? sharedBytes.baseAddress!.bindMemory(to: Float.self, capacity: reserved / 4) : nil),
                    workers: workers)
                }
              }
            }
          }
        }
      }
    }
    return y
  }

  /// The convolution in double precision, channels-last: `y[n, h, w, o]` for output channel `o` of group `g`
  /// sums `x[n, h·s + i - top, w·s + j - left, g·C + c] · w[o, c, i, j]` over the window (stride `s`), then adds the bias and
  /// the residual and applies the activation.
  private func naive(_ spec: Case, _ axes: WindowAxes, _ data: Tensors, stride: Int) -> [Double] {
    let (height, width) = (axes.input[1], axes.input[2])
    let (outputHeight, outputWidth) = (axes.output[1], axes.output[2])
    let (channelsPerGroup, outputsPerGroup) = (spec.channels / spec.groups, spec.outputChannels / spec.groups)
    var y = [Double](repeating: 0, count: spec.batch * outputHeight * outputWidth * spec.outputChannels)
    for image in 0..<spec.batch {
      for h in 0..<outputHeight {
        for w in 0..<outputWidth {
          for output in 0..<spec.outputChannels {
            let group = output / outputsPerGroup
            var sum = 0.0
            for i in 0..<3 {
              for j in 0..<3 {
                let (row, column) = (h * stride + i - spec.pads[0], w * stride + j - spec.pads[1])
                guard row >= 0, row < height, column >= 0, column < width else { continue }
                let pixel = ((image * height + row) * width + column) * spec.channels + group * channelsPerGroup
                for channel in 0..<channelsPerGroup {
                  sum += Double(data.x[pixel + channel]) * Double(data.w[(output * channelsPerGroup + channel) * 9 + i * 3 + j])
                }
              }
            }
            let index = ((image * outputHeight + h) * outputWidth + w) * spec.outputChannels + output
            if let bias = data.bias { sum += Double(bias[output]) }
            if let residual = data.residual { sum += Double(residual[index]) }
            y[index] = NaiveMath.pointwise(spec.activation, sum)
          }
        }
      }
    }
    return y
  }
}
