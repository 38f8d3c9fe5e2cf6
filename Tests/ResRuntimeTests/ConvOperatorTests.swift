import ResKernels
import ResPlan
import Testing

@testable import ResRuntime

/// `f32_conv_nchw_generic` against a naive convolution over 1-D, 2-D and 3-D cases with groups, strides,
/// dilations, asymmetric pads, and every epilogue combination.
@Suite struct ConvOperatorTests {
  struct Case: CustomStringConvertible, Sendable {
    var batch = 1
    var channels: Int
    var outputChannels: Int
    var spatial: [Int]
    var kernel: [Int]
    var strides: [Int]? = nil
    var dilations: [Int]? = nil
    var pads: [Int]? = nil
    var group = 1
    var bias = false
    var residual = false
    var activation: Rescompile_Plan_Activation.Kind = .none
    var constantWeights = true

    var description: String {
      let geometry: String = "in\(spatial) k\(kernel) s\(strides ?? []) d\(dilations ?? []) p\(pads ?? [])"
      let epilogue: String = "bias \(bias) residual \(residual) \(activation)"
      return "N\(batch) C\(channels) M\(outputChannels) \(geometry) g\(group) \(epilogue)"
    }
  }

  static let cases: [Case] = [
    Case(channels: 3, outputChannels: 4, spatial: [7, 6], kernel: [3, 3], pads: [1, 1, 1, 1], bias: true),
    Case(channels: 2, outputChannels: 7, spatial: [9, 8], kernel: [3, 2], strides: [2, 3], pads: [0, 1, 2, 0]),
    Case(channels: 4, outputChannels: 6, spatial: [8, 8], kernel: [3, 3], dilations: [2, 1], pads: [2, 1, 1, 2], group: 2),
    Case(
      batch: 2, channels: 6, outputChannels: 6, spatial: [5, 7], kernel: [3, 3], pads: [1, 1, 1, 1], group: 6,
      bias: true, residual: true, activation: .relu),
    Case(channels: 5, outputChannels: 13, spatial: [6, 5], kernel: [1, 1], bias: true, activation: .clip),
    Case(batch: 2, channels: 8, outputChannels: 5, spatial: [4, 4], kernel: [1, 1], residual: true, constantWeights: false),
    Case(channels: 3, outputChannels: 5, spatial: [11], kernel: [3], strides: [2], pads: [2, 1], bias: true),
    Case(channels: 4, outputChannels: 4, spatial: [17], kernel: [5], dilations: [3], pads: [0, 6], group: 4, activation: .leakyRelu),
    Case(channels: 2, outputChannels: 3, spatial: [4, 5, 3], kernel: [2, 3, 2], strides: [1, 2, 1], pads: [1, 0, 1, 0, 1, 1], bias: true),
    Case(channels: 3, outputChannels: 4, spatial: [5, 4, 4], kernel: [3, 1, 3], dilations: [1, 1, 2], pads: [1, 0, 2, 1, 0, 0], residual: true, activation: .sigmoid),
    Case(channels: 7, outputChannels: 9, spatial: [6, 6], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 0, 0], bias: true, residual: true, activation: .hardSwish, constantWeights: false),
    Case(channels: 16, outputChannels: 19, spatial: [9, 9], kernel: [3, 3], pads: [1, 1, 1, 1], bias: true, activation: .silu),
    Case(channels: 3, outputChannels: 2, spatial: [3, 3], kernel: [3, 3], strides: [4, 4]),
    // The grid method (a stem: 27 reduction steps at stride 2) with a ragged last panel of output channels,
    // rows wider than one tile, and enough work for the three-thread run to split.
    Case(batch: 2, channels: 3, outputChannels: 14, spatial: [46, 41], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], bias: true, residual: true, activation: .clip),
    // K = 270 crosses the 256 reduction block; the work is above the one-thread threshold, so the
    // three-thread run really splits.
    Case(channels: 30, outputChannels: 20, spatial: [16, 16], kernel: [3, 3], pads: [1, 1, 1, 1], bias: true, residual: true, activation: .relu),
    // The direct method: a strided 1x1 (a ResNet downsample), a 7x7 stride-2 stem, two images with padding
    // and a residual, output channels split over threads (few positions), and im2col for the same window
    // when the weights are not constant.
    Case(channels: 12, outputChannels: 24, spatial: [9, 7], kernel: [1, 1], strides: [2, 2], bias: true, residual: true, activation: .relu),
    Case(batch: 2, channels: 6, outputChannels: 10, spatial: [5, 70], kernel: [1, 1], strides: [1, 2], residual: true, constantWeights: false),
    Case(channels: 4, outputChannels: 7, spatial: [4, 5, 9], kernel: [1, 1, 1], strides: [3, 2, 3], bias: true),
    Case(channels: 5, outputChannels: 8, spatial: [6, 6], kernel: [1, 1], strides: [2, 2], pads: [1, 0, 0, 1], bias: true),
    Case(channels: 3, outputChannels: 18, spatial: [15, 13], kernel: [7, 7], strides: [2, 2], pads: [3, 3, 3, 3], bias: true, activation: .relu),
    Case(batch: 2, channels: 5, outputChannels: 17, spatial: [6, 9], kernel: [3, 3], pads: [1, 0, 1, 2], bias: true, residual: true, activation: .clip),
    Case(channels: 64, outputChannels: 64, spatial: [4, 4], kernel: [3, 3], pads: [1, 1, 1, 1], residual: true),
    Case(channels: 6, outputChannels: 9, spatial: [8, 7], kernel: [3, 3], strides: [2, 1], dilations: [1, 2], pads: [1, 2, 1, 2], bias: true, constantWeights: false),
    // Depthwise: MobileNet's 3x3 at strides 1 and 2 over rows longer than the kernel's 16 columns and more
    // than its 4 rows, 5x5 stride 2, stride 3 with dilation, a channel multiplier, weights computed at run
    // time, a 3-D depthwise window (not the depthwise kernel's), and enough work for three threads.
    Case(channels: 5, outputChannels: 5, spatial: [11, 37], kernel: [3, 3], pads: [1, 1, 1, 1], group: 5, bias: true, activation: .clip),
    Case(batch: 2, channels: 4, outputChannels: 4, spatial: [13, 35], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], group: 4, bias: true, residual: true, activation: .relu),
    Case(channels: 3, outputChannels: 3, spatial: [14, 19], kernel: [5, 5], strides: [2, 2], pads: [2, 2, 2, 2], group: 3, bias: true, activation: .hardSwish),
    Case(channels: 2, outputChannels: 6, spatial: [12, 23], kernel: [3, 3], strides: [3, 3], dilations: [2, 1], pads: [2, 0, 1, 3], group: 2, residual: true),
    Case(channels: 3, outputChannels: 3, spatial: [9, 18], kernel: [3, 3], strides: [1, 2], pads: [1, 1, 1, 1], group: 3, bias: true, constantWeights: false),
    Case(channels: 2, outputChannels: 2, spatial: [3, 5, 4], kernel: [3, 3, 3], pads: [1, 1, 1, 1, 1, 1], group: 2, bias: true),
    Case(channels: 32, outputChannels: 32, spatial: [30, 30], kernel: [3, 3], pads: [1, 1, 1, 1], group: 32, bias: true, residual: true, activation: .relu),
    // The depthwise grid: MobileNet's 7x7 and 14x14 planes, odd planes at stride 2 with uneven pads, a
    // channel multiplier at stride 2, a 1-D window, 5x5 at stride 1 and a grid longer than 64 positions.
    Case(channels: 6, outputChannels: 6, spatial: [7, 7], kernel: [3, 3], pads: [1, 1, 1, 1], group: 6, bias: true, activation: .clip),
    Case(channels: 4, outputChannels: 4, spatial: [14, 14], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], group: 4, bias: true, residual: true, activation: .clip),
    Case(channels: 3, outputChannels: 3, spatial: [9, 13], kernel: [3, 3], strides: [2, 2], pads: [0, 1, 1, 0], group: 3, bias: true),
    Case(channels: 2, outputChannels: 6, spatial: [10, 11], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], group: 2, residual: true, activation: .relu),
    Case(channels: 3, outputChannels: 3, spatial: [29], kernel: [5], strides: [2], pads: [2, 2], group: 3, bias: true),
    Case(channels: 4, outputChannels: 4, spatial: [12, 9], kernel: [5, 5], pads: [2, 2, 2, 2], group: 4, bias: true, activation: .hardSwish, constantWeights: false),
    Case(channels: 2, outputChannels: 2, spatial: [1, 1], kernel: [3, 3], pads: [1, 1, 1, 1], group: 2, bias: true),
    // Channel blocks (outputs up to 14x14, one channel per group): blocks of 1, 17, 37 and 48 channels (partial
    // ones at every 4-channel step of the transposes), strides 1 to 3 with dilation and uneven pads, 5x5, a
    // residual under each epilogue, and enough blocks for three threads.
    Case(channels: 17, outputChannels: 17, spatial: [14, 14], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], group: 17, bias: true, residual: true, activation: .clip),
    Case(channels: 1, outputChannels: 1, spatial: [5, 6], kernel: [3, 3], pads: [1, 1, 1, 1], group: 1, bias: true, activation: .relu),
    Case(channels: 37, outputChannels: 37, spatial: [13, 11], kernel: [3, 3], strides: [3, 2], dilations: [2, 1], pads: [2, 1, 0, 1], group: 37, bias: true),
    Case(channels: 48, outputChannels: 48, spatial: [7, 7], kernel: [5, 5], pads: [2, 2, 2, 2], group: 48, residual: true, activation: .hardSwish),
    Case(channels: 19, outputChannels: 19, spatial: [10, 14], kernel: [3, 3], pads: [1, 1, 1, 1], group: 19, bias: true, constantWeights: false),
    // Channel blocks in row bands: a wide plane at a large stride, three bands of five output rows.
    Case(channels: 5, outputChannels: 5, spatial: [40, 130], kernel: [3, 3], strides: [3, 10], pads: [1, 1, 1, 1], group: 5, bias: true, residual: true, activation: .relu),
    // Stride-2 depthwise planes split into both column phases in one pass: an even width with no left pad (even
    // columns to phase 0), enough channels and work for three threads to take several pieces each.
    Case(channels: 56, outputChannels: 56, spatial: [31, 44], kernel: [3, 3], strides: [2, 2], pads: [1, 0, 1, 1], group: 56, bias: true, activation: .clip),
    // Pointwise GEMMs with more row tiles than column tiles (MobileNet's 7x7 layers): on three threads they are
    // cut along rows and read B packed once into the shared scratch, one problem and two.
    Case(channels: 64, outputChannels: 96, spatial: [7, 7], kernel: [1, 1], bias: true, activation: .clip),
    Case(batch: 2, channels: 64, outputChannels: 90, spatial: [5, 9], kernel: [1, 1], residual: true, activation: .relu),
    // Patch embeddings (windows that never overlap, at least 96 output channels per group: the sampled GEMM):
    // 16x16/16 on three colours with input rows and columns past the last window, two images with a residual
    // (more row tiles than column tiles: B packed once on three threads), a window narrower than its stride in
    // two groups, a 1-D one with weights computed at run time, and a 2x2/2 over rows long enough for the
    // two-load stride-2 copy (computed weights keep it off the grid method).
    Case(channels: 3, outputChannels: 96, spatial: [35, 50], kernel: [16, 16], strides: [16, 16], bias: true),
    Case(batch: 2, channels: 5, outputChannels: 100, spatial: [17, 23], kernel: [4, 4], strides: [4, 4], bias: true, residual: true, activation: .relu),
    Case(channels: 4, outputChannels: 192, spatial: [9, 14], kernel: [2, 3], strides: [3, 3], group: 2, bias: true, activation: .clip),
    Case(channels: 6, outputChannels: 97, spatial: [66], kernel: [4], strides: [4], residual: true, constantWeights: false),
    Case(channels: 3, outputChannels: 96, spatial: [6, 70], kernel: [2, 2], strides: [2, 2], bias: true, constantWeights: false),
    // Windows at least 8 wide in rows of at least 8 windows, copied as 8x8 transposed tiles: 11 windows and
    // 10 taps leave a last tile overlapping the one before along each axis.
    Case(channels: 2, outputChannels: 96, spatial: [17, 90], kernel: [8, 8], strides: [8, 8], bias: true, activation: .relu),
    Case(batch: 2, channels: 3, outputChannels: 96, spatial: [7, 107], kernel: [3, 10], strides: [3, 10], residual: true),
  ]

  @Test(arguments: cases)
  func matchesNaiveConvolution(_ spec: Case) throws {
    var random = SeededGenerator(seed: UInt64(spec.channels * 131 + spec.outputChannels * 7 + spec.spatial.count))
    let rank = spec.spatial.count
    let strides = spec.strides ?? [Int](repeating: 1, count: rank)
    let dilations = spec.dilations ?? [Int](repeating: 1, count: rank)
    let pads = spec.pads ?? [Int](repeating: 0, count: 2 * rank)
    let output = (0..<rank).map { (axis: Int) -> Int in
      let span: Int = spec.spatial[axis] + pads[axis] + pads[axis + rank]
      let window: Int = dilations[axis] * (spec.kernel[axis] - 1) + 1
      return (span - window) / strides[axis] + 1
    }
    let xShape = [spec.batch, spec.channels] + spec.spatial
    let wShape = [spec.outputChannels, spec.channels / spec.group] + spec.kernel
    let yShape = [spec.batch, spec.outputChannels] + output
    let x = random.floats(xShape.reduce(1, *))
    let w = random.floats(wShape.reduce(1, *))
    let b = random.floats(spec.outputChannels)
    let r = random.floats(yShape.reduce(1, *))

    var params = Rescompile_Plan_ConvParams()
    params.kernelShape = spec.kernel.map(Int64.init)
    params.strides = strides.map(Int64.init)
    params.dilations = dilations.map(Int64.init)
    params.pads = pads.map(Int64.init)
    params.group = Int64(spec.group)
    params.epilogue.hasBias_p = spec.bias
    params.epilogue.hasResidual_p = spec.residual
    params.epilogue.activation.kind = spec.activation
    params.epilogue.activation.alpha = spec.activation == .clip ? -0.5 : 0.2
    params.epilogue.activation.beta = 0.6
    var inputs = [StepOperand(xShape, floats: x), StepOperand(wShape, floats: w, constant: spec.constantWeights)]
    if spec.bias { inputs.append(StepOperand([spec.outputChannels], floats: b, constant: true)) }
    if spec.residual { inputs.append(StepOperand(yShape, floats: r)) }

    let expected = NaiveConvolution(
      x: x, xShape: xShape, w: w, wShape: wShape, bias: spec.bias ? b : nil, residual: spec.residual ? r : nil,
      strides: strides, dilations: dilations, pads: pads, group: spec.group, outputShape: yShape
    ).compute().map { value in
      spec.activation == .none
        ? value
        : NaiveMath.pointwise(testFunction(params.epilogue.activation), value)
    }
    let single = try StepHarness.run(.f32ConvNCHWGeneric, .conv(params), inputs: inputs, outputs: [(.f32, yShape)])
    expectClose(single[0], expected, absolute: 1e-5 * Double(wShape.dropFirst().reduce(1, *) + 1), relative: 1e-4, "\(spec)")
    let threaded = try StepHarness.run(
      .f32ConvNCHWGeneric, .conv(params), inputs: inputs, outputs: [(.f32, yShape)], threads: 3)
    #expect(threaded[0] == single[0], "three threads must give bit-identical results")
    for packing in Self.packings(spec, output: output) {
      var packedInputs = inputs
      packedInputs[1].packing = packing
      let packed = try StepHarness.run(.f32ConvNCHWGeneric, .conv(params), inputs: packedInputs, outputs: [(.f32, yShape)])
      #expect(packed[0] == single[0], "W packed \(packing) must give the results of W unpacked")
    }
  }

  /// Packings of constant weights to run a case with: the one the runtime's method reads (used in place), and
  /// one of another width (unpacked and repacked at load; for Winograd, whose transform cannot be undone, the
  /// direct method's plain panels, unpacked and transformed at load). None for depthwise and computed weights.
  static func packings(_ spec: Case, output: [Int]) -> [PanelLayout] {
    let shape = shape(spec, output: output)
    guard spec.constantWeights,
      let layout = ConvMethod.choose(shape, weightsAreConstant: true).weightLayout(shape, widths: .runtime)
    else { return [] }
    if layout.isTransformed {
      return [layout] + [ConvMethod.direct.weightLayout(shape, widths: .runtime)].compactMap { $0 }
    }
    let other = PanelLayout(
      width: layout.width == 16 ? 5 : 16, matrices: layout.matrices, rows: layout.rows, depth: layout.depth,
      matrixStride: layout.matrixStride, rowStride: layout.rowStride, depthStride: layout.depthStride)
    return [layout, other]
  }

  static func shape(_ spec: Case, output: [Int]) -> ConvShape {
    let rank = spec.spatial.count
    let lead = { (values: [Int], fill: Int) in [Int](repeating: fill, count: 3 - rank) + values }
    let pads = spec.pads ?? [Int](repeating: 0, count: 2 * rank)
    let ones = [Int](repeating: 1, count: rank)
    return ConvShape(
      input: lead(spec.spatial, 1), output: lead(output, 1), kernel: lead(spec.kernel, 1),
      strides: lead(spec.strides ?? ones, 1), dilations: lead(spec.dilations ?? ones, 1),
      padsBegin: lead(Array(pads.prefix(rank)), 0), padsEnd: lead(Array(pads.suffix(rank)), 0), groups: spec.group,
      channelsPerGroup: spec.channels / spec.group, outputChannelsPerGroup: spec.outputChannels / spec.group)
  }

  @Test func depthwiseRefusesPackedWeights() throws {
    var params = Rescompile_Plan_ConvParams()
    params.kernelShape = [3, 3]
    params.pads = [1, 1, 1, 1]
    params.group = 4
    let layout = PanelLayout(width: 16, matrices: 4, rows: 1, depth: 9, matrixStride: 9, rowStride: 9, depthStride: 1)
    var w = StepOperand([4, 1, 3, 3], [Double](repeating: 1, count: 36), constant: true)
    w.packing = layout
    let x = StepOperand([1, 4, 5, 5], [Double](repeating: 0, count: 100))
    #expect(StepHarness.rejects(.f32ConvNCHWGeneric, .conv(params), inputs: [x, w], outputs: [(.f32, [1, 4, 5, 5])], containing: "packed"))
  }

  @Test func rejectsInconsistentShapes() {
    var params = Rescompile_Plan_ConvParams()
    params.kernelShape = [3, 3]
    params.pads = [1, 1, 1, 1]
    let x = StepOperand([1, 2, 5, 5], [Double](repeating: 0, count: 50))
    let w = StepOperand([4, 2, 3, 3], [Double](repeating: 0, count: 72), constant: true)
    #expect(StepHarness.rejects(.f32ConvNCHWGeneric, .conv(params), inputs: [x, w], outputs: [(.f32, [1, 4, 4, 5])], containing: "Y"))
    #expect(StepHarness.rejects(.f32ConvNCHWGeneric, .conv(params), inputs: [x], outputs: [(.f32, [1, 4, 5, 5])], containing: "inputs"))
    params.group = 3
    #expect(StepHarness.rejects(.f32ConvNCHWGeneric, .conv(params), inputs: [x, w], outputs: [(.f32, [1, 4, 5, 5])], containing: "group"))
    params.group = 1
    params.strides = [0, 1]
    #expect(StepHarness.rejects(.f32ConvNCHWGeneric, .conv(params), inputs: [x, w], outputs: [(.f32, [1, 4, 5, 5])], containing: "strides"))
    params.strides = []
    params.pads = [1, 1, 1]
    #expect(StepHarness.rejects(.f32ConvNCHWGeneric, .conv(params), inputs: [x, w], outputs: [(.f32, [1, 4, 5, 5])], containing: "pads"))
    params.pads = [0, 0, 0, 0]
    params.kernelShape = [5, 5]
    #expect(StepHarness.rejects(.f32ConvNCHWGeneric, .conv(params), inputs: [x, w], outputs: [(.f32, [1, 4, 3, 3])], containing: "kernel_shape"))
    params.kernelShape = [3, 3]
    params.dilations = [4, 4]
    #expect(StepHarness.rejects(.f32ConvNCHWGeneric, .conv(params), inputs: [x, w], outputs: [(.f32, [1, 4, 1, 1])], containing: "larger"))
    params.dilations = []
    params.pads = [Int64.max / 2, 0, 0, 0]
    #expect(StepHarness.rejects(.f32ConvNCHWGeneric, .conv(params), inputs: [x, w], outputs: [(.f32, [1, 4, 3, 3])], containing: "pads"))
  }
}

/// The pointwise function a plan activation names (for tests; the kinds used here are all known).
func testFunction(_ activation: Rescompile_Plan_Activation) -> PointwiseFunction {
  let operands = StepOperands(
    site: StepSite(index: 0, name: "test", kernel: "test"), inputs: [], outputs: [],
    constants: UnsafeRawBufferPointer(start: nil, count: 0))
  return (try? PointwiseFunction(activation, operands)) ?? .identity
}

/// Convolution by definition, in double precision, over up to three spatial axes.
struct NaiveConvolution {
  var x: [Float]
  var xShape: [Int]
  var w: [Float]
  var wShape: [Int]
  var bias: [Float]?
  var residual: [Float]?
  var strides: [Int]
  var dilations: [Int]
  var pads: [Int]
  var group: Int
  var outputShape: [Int]

  func compute() -> [Double] {
    let rank = xShape.count - 2
    let lead = 3 - rank
    func padded(_ values: [Int], _ fill: Int) -> [Int] { [Int](repeating: fill, count: lead) + values }
    let input = padded(Array(xShape[2...]), 1)
    let kernel = padded(Array(wShape[2...]), 1)
    let output = padded(Array(outputShape[2...]), 1)
    let stride = padded(strides, 1)
    let dilation = padded(dilations, 1)
    let begin = padded(Array(pads[..<rank]), 0)
    let (n, c, m) = (xShape[0], xShape[1], wShape[0])
    let (cg, mg) = (c / group, m / group)
    var result: [Double] = []
    for image in 0..<n {
      for channel in 0..<m {
        let g = channel / mg
        for od in 0..<output[0] {
          for oh in 0..<output[1] {
            for ow in 0..<output[2] {
              var sum = 0.0
              for ic in 0..<cg {
                for kd in 0..<kernel[0] {
                  for kh in 0..<kernel[1] {
                    for kw in 0..<kernel[2] {
                      let id = od * stride[0] - begin[0] + kd * dilation[0]
                      let ih = oh * stride[1] - begin[1] + kh * dilation[1]
                      let iw = ow * stride[2] - begin[2] + kw * dilation[2]
                      guard id >= 0, id < input[0], ih >= 0, ih < input[1], iw >= 0, iw < input[2] else { continue }
                      let xi = (((image * c + g * cg + ic) * input[0] + id) * input[1] + ih) * input[2] + iw
                      let wi = (((channel * cg + ic) * kernel[0] + kd) * kernel[1] + kh) * kernel[2] + kw
                      sum += Double(x[xi]) * Double(w[wi])
                    }
                  }
                }
              }
              if let bias { sum += Double(bias[channel]) }
              if let residual { sum += Double(residual[result.count]) }
              result.append(sum)
            }
          }
        }
      }
    }
    return result
  }
}
