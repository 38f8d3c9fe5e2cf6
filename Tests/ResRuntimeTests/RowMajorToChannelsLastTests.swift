import ResPlan
import Testing

@testable import ResRuntime

/// A convolution whose X is row-major and whose Y is channels-last (a step starting a channels-last region:
/// an image stem, `ConvMethod.channelsLastGrid`, or a 1x1, `channelsLastPointwise`): the runtime runs it when
/// the geometry is one of theirs and gives the row-major plan's bits, and refuses any other geometry, or Y
/// row-major under a channels-last X, with one line naming the step.
@Suite struct RowMajorToChannelsLastTests {
  /// x (row-major) → conv → y.nhwc (channels-last) → reorder → y (row-major). Weights `[M, C, k, k]`.
  static func plan(channels: Int, outputs: Int, kernel: Int, stride: Int, size: Int, channelsLastY: Bool = true)
    -> (PlanBuilder, weights: [Float], outputSize: Int)
  {
    var random = SeededGenerator(seed: UInt64(channels * 100 + kernel))
    var builder = PlanBuilder()
    let pad = kernel / 2
    let outputSize = (size + 2 * pad - kernel) / stride + 1
    let x = builder.arena("x", .f32, [1, channels, size, size])
    let weights = random.floats(outputs * channels * kernel * kernel)
    let w = builder.constant("w", [outputs, channels, kernel, kernel], floats: weights)
    let yShape = [1, outputs, outputSize, outputSize]
    let nhwc = builder.arena("y.nhwc", .f32, yShape)
    if channelsLastY { builder.metadata.buffers[Int(nhwc)].layout = .channelsLast }
    var params = Rescompile_Plan_ConvParams()
    params.kernelShape = [Int64(kernel), Int64(kernel)]
    params.strides = [Int64(stride), Int64(stride)]
    params.dilations = [1, 1]
    params.pads = [Int64(pad), Int64(pad), Int64(pad), Int64(pad)]
    params.group = 1
    builder.step(.f32ConvNCHWGeneric, inputs: [x, w], outputs: [nhwc], .conv(params))
    let y = builder.arena("y", .f32, yShape)
    builder.step(.f32Reorder, inputs: [nhwc], outputs: [y], .reorder(Rescompile_Plan_ReorderParams()))
    builder.input("x", x)
    builder.output("y", y)
    return (builder, weights, outputSize)
  }

  @Test(arguments: [(3, 24, 3, 2), (3, 64, 7, 2), (4, 40, 3, 1)])
  func anImageStemGivesTheRowMajorConvolutionsBits(channels: Int, outputs: Int, kernel: Int, stride: Int) throws {
    let size = 19
    let (builder, weights, outputSize) = Self.plan(
      channels: channels, outputs: outputs, kernel: kernel, stride: stride, size: size)
    var random = SeededGenerator(seed: 3)
    let image = random.floats(channels * size * size)
    let yShape = [1, outputs, outputSize, outputSize]
    let rowMajor = try StepHarness.run(
      .f32ConvNCHWGeneric, .conv(builder.metadata.steps[0].conv),
      inputs: [StepOperand([1, channels, size, size], floats: image), StepOperand(
        [outputs, channels, kernel, kernel], floats: weights, constant: true)],
      outputs: [(.f32, yShape)])[0]
    for threads in [1, 2] {
      let runner = try Runner(try builder.plan(), threads: threads)
      let result = try runner.run(["x": try Tensor(image, shape: [1, channels, size, size])])
      let values = try #require(result["y"]).scalars(as: Float.self)
      #expect(values.map { Double($0).bitPattern } == rowMajor.map(\.bitPattern), "\(threads) threads")
    }
  }

  /// A 1x1 with an input prologue (a DenseNet bottleneck) or without, writing channels-last
  /// (`ConvMethod.channelsLastPointwise`): the row-major pointwise GEMM's bits, on one, two and three threads,
  /// with a partial six-position panel, a partial 16-channel panel, reductions of one and of two K blocks
  /// (`GemmDriver.kc`: the prologue's channels follow the block), a batch, and a channels-last residual.
  struct PointwiseCase: CustomStringConvertible, Sendable {
    var batch = 1
    var channels: Int
    var outputs: Int
    var height: Int
    var width: Int
    var prologue: Rescompile_Plan_Activation.Kind? = .relu
    var bias = true
    var residual = false
    var epilogue: Rescompile_Plan_Activation.Kind = .relu

    var description: String {
      "N\(batch) C\(channels) M\(outputs) \(height)x\(width) prologue \(prologue.map { "\($0)" } ?? "none") bias \(bias) "
        + "residual \(residual) epilogue \(epilogue)"
    }
  }

  static let pointwiseCases: [PointwiseCase] = [
    PointwiseCase(channels: 64, outputs: 128, height: 14, width: 14),
    PointwiseCase(channels: 5, outputs: 13, height: 7, width: 9, prologue: .clip),
    PointwiseCase(channels: 2, outputs: 16, height: 1, width: 3, bias: false, epilogue: .none),
    PointwiseCase(batch: 2, channels: 40, outputs: 24, height: 11, width: 13, residual: true),
    PointwiseCase(channels: 400, outputs: 40, height: 5, width: 7, prologue: .sigmoid, residual: true),
    PointwiseCase(channels: 48, outputs: 96, height: 29, width: 31, prologue: nil),
  ]

  @Test(arguments: pointwiseCases)
  func aPointwiseConvolutionGivesTheRowMajorConvolutionsBits(_ spec: PointwiseCase) throws {
    var random = SeededGenerator(seed: UInt64(spec.channels * 31 + spec.outputs))
    let xShape = [spec.batch, spec.channels, spec.height, spec.width]
    let wShape = [spec.outputs, spec.channels, 1, 1]
    let yShape = [spec.batch, spec.outputs, spec.height, spec.width]
    let x = random.floats(xShape.reduce(1, *))
    let w = random.floats(wShape.reduce(1, *))
    let bias = random.floats(spec.outputs)
    let residual = random.floats(yShape.reduce(1, *))
    let (scale, shift) = (random.floats(spec.channels), random.floats(spec.channels))

    var params = Rescompile_Plan_ConvParams()
    params.kernelShape = [1, 1]
    params.strides = [1, 1]
    params.dilations = [1, 1]
    params.pads = [0, 0, 0, 0]
    params.group = 1
    params.epilogue.hasBias_p = spec.bias
    params.epilogue.hasResidual_p = spec.residual
    params.epilogue.activation.kind = spec.epilogue
    if let prologue = spec.prologue {
      params.prologue.activation.kind = prologue
      params.prologue.activation.alpha = -0.5
      params.prologue.activation.beta = 0.6
    }

    var stepInputs = [StepOperand(xShape, floats: x), StepOperand(wShape, floats: w, constant: true)]
    if spec.bias { stepInputs.append(StepOperand([spec.outputs], floats: bias, constant: true)) }
    if spec.residual { stepInputs.append(StepOperand(yShape, floats: residual)) }
    if spec.prologue != nil {
      stepInputs += [
        StepOperand([spec.channels], floats: scale, constant: true),
        StepOperand([spec.channels], floats: shift, constant: true),
      ]
    }
    let rowMajor = try StepHarness.run(.f32ConvNCHWGeneric, .conv(params), inputs: stepInputs, outputs: [(.f32, yShape)])[0]

    // x → conv (Y channels-last) → reorder → y; the residual reordered to channels-last first.
    var builder = PlanBuilder()
    let xBuffer = builder.arena("x", .f32, xShape)
    var convInputs = [xBuffer, builder.constant("w", wShape, floats: w)]
    if spec.bias { convInputs.append(builder.constant("b", [spec.outputs], floats: bias)) }
    if spec.residual {
      let r = builder.arena("r", .f32, yShape)
      let nhwc = builder.arena("r.nhwc", .f32, yShape)
      builder.metadata.buffers[Int(nhwc)].layout = .channelsLast
      builder.step(.f32Reorder, inputs: [r], outputs: [nhwc], .reorder(Rescompile_Plan_ReorderParams()))
      builder.input("r", r)
      convInputs.append(nhwc)
    }
    if spec.prologue != nil {
      convInputs += [builder.constant("scale", [spec.channels], floats: scale), builder.constant("shift", [spec.channels], floats: shift)]
    }
    let yChannelsLast = builder.arena("y.nhwc", .f32, yShape)
    builder.metadata.buffers[Int(yChannelsLast)].layout = .channelsLast
    builder.step(.f32ConvNCHWGeneric, inputs: convInputs, outputs: [yChannelsLast], .conv(params))
    let y = builder.arena("y", .f32, yShape)
    builder.step(.f32Reorder, inputs: [yChannelsLast], outputs: [y], .reorder(Rescompile_Plan_ReorderParams()))
    builder.input("x", xBuffer)
    builder.output("y", y)
    var feeds = ["x": try Tensor(x, shape: xShape)]
    if spec.residual { feeds["r"] = try Tensor(residual, shape: yShape) }
    for threads in [1, 2, 3] {
      let runner = try Runner(try builder.plan(), threads: threads)
      #expect(try runner.profile(feeds, warmup: 0, iterations: 1).steps.contains { $0.method == "channels-last pointwise GEMM" })
      let values = try #require(try runner.run(feeds)["y"]).scalars(as: Float.self)
      #expect(values.map { Double($0).bitPattern } == rowMajor.map(\.bitPattern), "\(spec), \(threads) threads")
    }
  }

  @Test func otherGeometriesAndLayoutsAreRefused() {
    for (kernel, stride) in [(1, 2), (5, 1)] {
      let other = Self.plan(channels: 8, outputs: 16, kernel: kernel, stride: stride, size: 6).0
      ChannelsLastLayoutTests.expectRejected("reads X row-major and writes Y channels-last", other)
    }

    var channelsLastX = Self.plan(channels: 3, outputs: 16, kernel: 3, stride: 2, size: 9, channelsLastY: false).0
    let x = channelsLastX.arena("x.nhwc", .f32, [1, 3, 9, 9])
    channelsLastX.metadata.buffers[Int(x)].layout = .channelsLast
    channelsLastX.metadata.steps[0].inputs[0] = x
    channelsLastX.step(.f32Reorder, inputs: [0], outputs: [x], .reorder(Rescompile_Plan_ReorderParams()))
    channelsLastX.metadata.steps.insert(channelsLastX.metadata.steps.removeLast(), at: 0)
    ChannelsLastLayoutTests.expectRejected("must all be channels-last or none", channelsLastX)
  }
}
