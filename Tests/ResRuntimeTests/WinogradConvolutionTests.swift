import ResKernels
import ResPlan
import Testing

@testable import ResRuntime

/// The Winograd method of `f32_conv_nchw_generic`: outputs against a naive double-precision convolution
/// over edge tiles, asymmetric pads, groups, batches and every epilogue; the loops around the GEMM kernel
/// with tiny blocks (several blocks of tiles, output channels split over workers); and the method choice.
///
/// Tolerances come from the error measured against double precision on the grid's cases (inputs and
/// weights uniform in [-1, 1], outputs of RMS 1.6–5.4): at most 3.1e-7·(K + 1) absolute for `F(4×4)`
/// (9.2e-5 at K = 297) and 1.6e-8·(K + 1) for `F(2×2)`, K = input channels per group · 9. The bounds below
/// are about three and six times those; the direct method's tests allow 1e-5·(K + 1).
@Suite struct WinogradConvolutionTests {
  struct Case: CustomStringConvertible, Sendable {
    var batch = 1
    var channels: Int
    var outputChannels: Int
    var spatial: [Int]
    var pads: [Int]
    var group = 1
    var bias = false
    var residual = false
    var activation: Rescompile_Plan_Activation.Kind = .none

    var description: String {
      "N\(batch) C\(channels) M\(outputChannels) in\(spatial) p\(pads) g\(group) bias \(bias) residual \(residual) \(activation)"
    }
  }

  static let cases: [Case] = [
    // 1×17, 2×11 and 3×7 outputs: F(2×2) tiles cut at the bottom, at the right, at both (fewer than 16 output
    // positions take `ConvMethod.fewPositions` instead).
    Case(channels: 16, outputChannels: 16, spatial: [1, 17], pads: [1, 1, 1, 1], bias: true),
    Case(channels: 20, outputChannels: 18, spatial: [2, 11], pads: [1, 1, 1, 1], residual: true, activation: .relu),
    Case(channels: 17, outputChannels: 19, spatial: [3, 7], pads: [1, 1, 1, 1], bias: true, residual: true),
    // 5×7 from an unpadded input; 13×13 with F(4×4) edge tiles, two images.
    Case(channels: 16, outputChannels: 23, spatial: [7, 9], pads: [0, 0, 0, 0], activation: .clip),
    Case(
      batch: 2, channels: 33, outputChannels: 21, spatial: [13, 13], pads: [1, 1, 1, 1], bias: true, residual: true,
      activation: .relu),
    // Groups with asymmetric pads (14×13 output); pads of 2 (14×33, three vectors of tiles).
    Case(channels: 32, outputChannels: 40, spatial: [14, 12], pads: [2, 1, 0, 2], group: 2, residual: true, activation: .sigmoid),
    Case(
      batch: 2, channels: 24, outputChannels: 30, spatial: [12, 31], pads: [2, 2, 2, 2], bias: true,
      activation: .leakyRelu),
    Case(channels: 16, outputChannels: 16, spatial: [24, 20], pads: [1, 1, 1, 1], bias: true, activation: .hardSwish),
  ]

  @Test(arguments: cases)
  func matchesNaiveConvolution(_ spec: Case) throws {
    var random = SeededGenerator(seed: UInt64(spec.channels * 31 + spec.outputChannels + spec.spatial[1]))
    let output = (0..<2).map { (axis: Int) -> Int in
      let padded: Int = spec.spatial[axis] + spec.pads[axis] + spec.pads[axis + 2]
      return padded - 2
    }
    let xShape = [spec.batch, spec.channels] + spec.spatial
    let wShape = [spec.outputChannels, spec.channels / spec.group, 3, 3]
    let yShape = [spec.batch, spec.outputChannels] + output
    let x = random.floats(xShape.reduce(1, *))
    let w = random.floats(wShape.reduce(1, *))
    let b = random.floats(spec.outputChannels)
    let r = random.floats(yShape.reduce(1, *))
    var params = Self.params(pads: spec.pads, group: spec.group)
    params.epilogue.hasBias_p = spec.bias
    params.epilogue.hasResidual_p = spec.residual
    params.epilogue.activation.kind = spec.activation
    params.epilogue.activation.alpha = spec.activation == .clip ? -0.5 : 0.2
    params.epilogue.activation.beta = 0.6
    var inputs = [StepOperand(xShape, floats: x), StepOperand(wShape, floats: w, constant: true)]
    if spec.bias { inputs.append(StepOperand([spec.outputChannels], floats: b, constant: true)) }
    if spec.residual { inputs.append(StepOperand(yShape, floats: r)) }

    let chosen = try Self.method(params, inputs: inputs, output: yShape)
    let variant = try #require(chosen, "Winograd not chosen")
    let expected = NaiveConvolution(
      x: x, xShape: xShape, w: w, wShape: wShape, bias: spec.bias ? b : nil, residual: spec.residual ? r : nil,
      strides: [1, 1], dilations: [1, 1], pads: spec.pads, group: spec.group, outputShape: yShape
    ).compute().map { value in
      spec.activation == .none ? value : NaiveMath.pointwise(testFunction(params.epilogue.activation), value)
    }
    let single = try StepHarness.run(.f32ConvNCHWGeneric, .conv(params), inputs: inputs, outputs: [(.f32, yShape)])
    let reduction = Double(wShape.dropFirst().reduce(1, *) + 1)
    expectClose(single[0], expected, absolute: Self.tolerance(variant) * reduction, relative: 1e-5, "\(spec) \(variant)")
    let threaded = try StepHarness.run(
      .f32ConvNCHWGeneric, .conv(params), inputs: inputs, outputs: [(.f32, yShape)], threads: 3)
    #expect(threaded[0] == single[0], "three threads must give bit-identical results")
  }

  /// Absolute error per reduction step allowed for a variant (see the suite's documentation).
  static func tolerance(_ variant: WinogradVariant) -> Double {
    switch variant {
    case .f2x2, .f2x2Stride2: 1e-7
    case .f4x4, .f4x4Stride2: 1e-6
    }
  }

  /// Both variants through tiny blocks of tiles (one vector each), and with ten workers, more than the
  /// blocks, so that output channels are split too, against the naive convolution. Split problems either
  /// share one input transform (`F(4×4)`'s three blocks: room reserved for them) or each transform their own,
  /// with bit-identical results.
  @Test(arguments: WinogradVariant.unitStride, [1, 10])
  func blocksAndSplits(_ variant: WinogradVariant, workers: Int) throws {
    var random = SeededGenerator(seed: 7)
    let (channels, outputChannels, spatial, pads) = (19, 25, [23, 25], [1, 0, 2, 1])
    let operands = StepOperands(
      site: StepSite(index: 0, name: "test", kernel: "test"), inputs: [], outputs: [],
      constants: UnsafeRawBufferPointer(start: nil, count: 0))
    var axes = try WindowAxes(
      input: spatial, kernelShape: [3, 3], defaultKernel: nil, strides: [], dilations: [],
      pads: pads.map(Int64.init), operands: operands)
    let output = try (1..<3).map { axis in try #require(axes.floorOutput(axis: axis)) }
    try axes.setOutput(output, operands)
    let x = random.floats(channels * axes.inputPlane)
    let w = random.floats(outputChannels * channels * 9)
    let bias = random.floats(outputChannels)
    let residual = random.floats(outputChannels * axes.outputPlane)
    let layout = try #require(
      WinogradFilter.layout(
        outputTile: variant.outputTile, groups: 1, rows: outputChannels, depth: channels,
        width: WinogradConvolution.kernel.mr))
    let weights = try w.withUnsafeBufferPointer { try WinogradWeights(transforming: $0.baseAddress!, layout: layout) }
    let winograd = try WinogradConvolution(
      weights: weights, axes: axes, blocking: WinogradConvolution.Blocking(blockBytes: 1))
    #expect(winograd.tileBlock == WinogradConvolution.lanes)
    #expect(winograd.tiles > 2 * winograd.tileBlock, "several blocks of tiles")
    var y = [Float](repeating: .nan, count: outputChannels * axes.outputPlane)
    try run(winograd, x, &y, bias: bias, residual: residual, workers: workers, sharesTransform: false)
    if workers > 1 {
      let sharedBytes = try winograd.sharedScratchBytes(batch: 1, site: StepSite(index: 0, name: "test", kernel: "test"))
      #expect((sharedBytes > 0) == (winograd.blocks <= winogradSharedProblemLimit), "\(variant)")
      var shared = [Float](repeating: .nan, count: y.count)
      try run(winograd, x, &shared, bias: bias, residual: residual, workers: workers, sharesTransform: true)
      #expect(shared == y, "\(variant): a shared input transform must give bit-identical results")
    }
    let expected = NaiveConvolution(
      x: x, xShape: [1, channels] + spatial, w: w, wShape: [outputChannels, channels, 3, 3], bias: bias,
      residual: residual, strides: [1, 1], dilations: [1, 1], pads: pads, group: 1,
      outputShape: [1, outputChannels] + output
    ).compute().map { max($0, 0) }
    expectClose(
      y.map(Double.init), expected, absolute: Self.tolerance(variant) * Double(channels * 9 + 1), relative: 1e-5,
      "\(variant) workers \(workers)")
  }

  /// One image through `winograd` with bias, residual and ReLU, on a run context of its own; with
  /// `sharesTransform`, the shared scratch the operator would reserve is offered for the input transforms.
  private func run(
    _ winograd: WinogradConvolution, _ x: [Float], _ y: inout [Float], bias: [Float], residual: [Float], workers: Int,
    sharesTransform: Bool
  ) throws {
    let site = StepSite(index: 0, name: "test", kernel: "test")
    let perWorker = try winograd.scratchBytes(site: site)
    var scratch = [Float](repeating: 0, count: perWorker / 4 * workers)
    let reserved = sharesTransform ? try winograd.sharedScratchBytes(batch: 1, site: site) : 0
    var shared = [Float](repeating: .nan, count: max(1, reserved / 4))
    let addresses: [UnsafeMutableRawPointer] = []
    addresses.withUnsafeBufferPointer { table in
      shared.withUnsafeMutableBytes { sharedBytes in
        scratch.withUnsafeMutableBytes { scratchBytes in
          x.withUnsafeBufferPointer { input in
            bias.withUnsafeBufferPointer { biasPointer in
              residual.withUnsafeBufferPointer { residualPointer in
                y.withUnsafeMutableBufferPointer { output in
                  let context = RunContext(
                    addresses: table, scratch: scratchBytes.baseAddress!, scratchStride: perWorker,
                    sharedScratch: sharedBytes.baseAddress!, threads: workers, pool: nil)
                  winograd.run(
                    context,
                    WinogradConvolution.Operands(
                      input: input.baseAddress!, output: output.baseAddress!, bias: biasPointer.baseAddress,
                      residual: residualPointer.baseAddress, activation: .relu, batch: 1,
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
  }

  /// ResNet's stride-1 3×3 layers take Winograd (`F(4×4)` on 56×56 to 14×14, `F(2×2)` on 7×7); strided,
  /// dilated, 5×5, depthwise and computed-weight convolutions do not, nor outputs of fewer than
  /// `winogradMinimumTiles` F(2×2) tiles (a DPN's grouped 4×4 layers: four tiles).
  @Test func choice() throws {
    #expect(try Self.method(channels: 64, spatial: [56, 56]) == .f4x4)
    #expect(try Self.method(channels: 256, spatial: [14, 14]) == .f4x4)
    #expect(try Self.method(channels: 512, spatial: [7, 7]) == .f2x2)
    #expect(try Self.method(channels: 64, spatial: [56, 56], strides: [2, 2]) == nil)
    #expect(try Self.method(channels: 64, spatial: [28, 28], dilations: [2, 2]) == nil)
    #expect(try Self.method(channels: 64, spatial: [28, 28], kernel: 5) == nil)
    #expect(try Self.method(channels: 64, spatial: [28, 28], group: 64) == nil)
    #expect(try Self.method(channels: 64, spatial: [28, 28], constantWeights: false) == nil)
    #expect(try Self.method(channels: 4, spatial: [28, 28]) == nil)
    #expect(try Self.method(channels: 512, spatial: [4, 4], group: 32) == nil)
    #expect(try Self.method(channels: 64, spatial: [2, 9]) == nil)
    #expect(try Self.method(channels: 64, spatial: [4, 6]) == .f2x2)
  }

  private static func method(
    channels: Int, spatial: [Int], kernel: Int = 3, strides: [Int] = [1, 1], dilations: [Int] = [1, 1],
    group: Int = 1, constantWeights: Bool = true
  ) throws -> WinogradVariant? {
    var params = Self.params(pads: [1, 1, 1, 1], group: group)
    params.kernelShape = [Int64(kernel), Int64(kernel)]
    params.strides = strides.map(Int64.init)
    params.dilations = dilations.map(Int64.init)
    let output = (0..<2).map { (axis: Int) -> Int in
      let window: Int = dilations[axis] * (kernel - 1) + 1
      return (spatial[axis] + 2 - window) / strides[axis] + 1
    }
    let wShape = [channels, channels / group, kernel, kernel]
    let inputs = [
      StepOperand([1, channels] + spatial, [Double](repeating: 0, count: channels * spatial[0] * spatial[1])),
      StepOperand(wShape, [Double](repeating: 0, count: wShape.reduce(1, *)), constant: constantWeights),
    ]
    return try method(params, inputs: inputs, output: [1, channels] + output)
  }

  /// The Winograd variant the loaded step runs, or nil when it runs another method.
  private static func method(
    _ params: Rescompile_Plan_ConvParams, inputs: [StepOperand], output: [Int]
  ) throws -> WinogradVariant? {
    let plan = try StepHarness.builder(.f32ConvNCHWGeneric, .conv(params), inputs: inputs, outputs: [(.f32, output)])
      .plan()
    let conv = try #require(plan.program.steps.first?.operation as? ConvOperator)
    guard case .winograd(let winograd) = conv.method else { return nil }
    return winograd.variant
  }

  private static func params(pads: [Int], group: Int) -> Rescompile_Plan_ConvParams {
    var params = Rescompile_Plan_ConvParams()
    params.kernelShape = [3, 3]
    params.pads = pads.map(Int64.init)
    params.group = Int64(group)
    return params
  }
}
