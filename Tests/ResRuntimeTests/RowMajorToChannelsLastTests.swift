import ResPlan
import Testing

@testable import ResRuntime

/// A convolution whose X is row-major and whose Y is channels-last (an image stem starting a channels-last
/// region, `ConvMethod.channelsLastGrid`): the runtime runs it when the geometry is the grid method's and
/// gives the row-major plan's bits, and refuses any other geometry, or Y row-major under a channels-last X,
/// with one line naming the step.
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

  @Test func otherGeometriesAndLayoutsAreRefused() {
    let pointwise = Self.plan(channels: 8, outputs: 16, kernel: 1, stride: 1, size: 6).0
    ChannelsLastLayoutTests.expectRejected("reads X row-major and writes Y channels-last", pointwise)

    var channelsLastX = Self.plan(channels: 3, outputs: 16, kernel: 3, stride: 2, size: 9, channelsLastY: false).0
    let x = channelsLastX.arena("x.nhwc", .f32, [1, 3, 9, 9])
    channelsLastX.metadata.buffers[Int(x)].layout = .channelsLast
    channelsLastX.metadata.steps[0].inputs[0] = x
    channelsLastX.step(.f32Reorder, inputs: [0], outputs: [x], .reorder(Rescompile_Plan_ReorderParams()))
    channelsLastX.metadata.steps.insert(channelsLastX.metadata.steps.removeLast(), at: 0)
    ChannelsLastLayoutTests.expectRejected("must all be channels-last or none", channelsLastX)
  }
}
