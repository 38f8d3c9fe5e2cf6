import ResPlan
import ResTestSupport
import Testing

@testable import ResRuntime

/// `f32_resize` on channels-last operands (an upsampling inside a channels-last region): bit for bit the
/// row-major resize of the same tensor, for every mode, coordinate mode and rounding, up and down, on one and
/// two threads; and refused when it would resample the channels.
@Suite struct ChannelsLastResizeTests {
  typealias Params = Rescompile_Plan_ResizeParams

  /// X `shape` resized to `output` by `params`: row-major when `channelsLast` is false, else between two
  /// reorders (X → channels-last, resize there, back to row-major for the output).
  static func resized(
    _ values: [Float], shape: [Int], output: [Int], _ params: Params, channelsLast: Bool, threads: Int
  ) throws -> [Float] {
    var builder = PlanBuilder()
    let x = builder.arena("x", .f32, shape)
    let y = builder.arena("y", .f32, output)
    builder.input("x", x)
    builder.output("y", y)
    if channelsLast {
      let xLast = builder.arena("x.nhwc", .f32, shape)
      let yLast = builder.arena("y.nhwc", .f32, output)
      builder.metadata.buffers[Int(xLast)].layout = .channelsLast
      builder.metadata.buffers[Int(yLast)].layout = .channelsLast
      builder.step(.f32Reorder, inputs: [x], outputs: [xLast], .reorder(Rescompile_Plan_ReorderParams()))
      builder.step(.resize, inputs: [xLast], outputs: [yLast], .resize(params))
      builder.step(.f32Reorder, inputs: [yLast], outputs: [y], .reorder(Rescompile_Plan_ReorderParams()))
    } else {
      builder.step(.resize, inputs: [x], outputs: [y], .resize(params))
    }
    let runner = try Runner(try builder.plan(), threads: threads)
    return try #require(try runner.run(["x": try Tensor(values, shape: shape)])["y"]).scalars(as: Float.self)
  }

  /// Every mode with a coordinate mode and rounding each (the grid of all would be 5 × 4 × 3 modes per shape),
  /// over upsampling, downsampling, one axis only and uneven factors, 2-D and 1-D planes.
  @Test(arguments: [
    ([1, 5, 4, 3], [1, 5, 8, 6]), ([2, 17, 3, 5], [2, 17, 7, 2]), ([1, 3, 6, 6], [1, 3, 3, 3]),
    ([1, 16, 4, 4], [1, 16, 4, 12]), ([1, 20, 7], [1, 20, 15]),
  ])
  func matchesTheRowMajorResizeBitForBit(shape: [Int], output: [Int]) throws {
    var random = SeededGenerator(seed: 11)
    var values = random.floats(shape.reduce(1, *))
    values[0] = -0.0
    let scales = zip(shape, output).map { Float($1) / Float($0) }
    let settings: [(Params.Mode, Params.Coordinates, Params.Nearest)] = [
      (.nearest, .asymmetric, .floor), (.nearest, .halfPixel, .roundPreferFloor), (.nearest, .alignCorners, .ceil),
      (.nearest, .pytorchHalfPixel, .roundPreferCeil), (.linear, .halfPixel, .floor), (.linear, .alignCorners, .floor),
      (.linear, .halfPixelSymmetric, .floor), (.cubic, .halfPixel, .floor), (.cubic, .asymmetric, .floor),
    ]
    for (mode, coordinates, nearest) in settings {
      var params = Params()
      params.mode = mode
      params.coordinates = coordinates
      params.nearest = nearest
      params.cubicCoeffA = -0.75
      params.scales = scales
      let expected = try Self.resized(values, shape: shape, output: output, params, channelsLast: false, threads: 1)
      for threads in [1, 2] {
        let result = try Self.resized(values, shape: shape, output: output, params, channelsLast: true, threads: threads)
        let differing = zip(result, expected).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(
          result.count == expected.count && differing == 0,
          "\(mode) \(coordinates) \(nearest) \(shape) → \(output), \(threads) thread(s): \(differing) elements differ")
      }
    }
  }

  /// A channels-last resize may not change the batch or the channels: the loader says so, naming the shapes.
  @Test func resamplingTheChannelsChannelsLastIsRefused() {
    var builder = PlanBuilder()
    let (shape, output) = ([1, 4, 3, 3], [1, 8, 3, 3])
    let x = builder.arena("x", .f32, shape)
    let xLast = builder.arena("x.nhwc", .f32, shape)
    let yLast = builder.arena("y.nhwc", .f32, output)
    let y = builder.arena("y", .f32, output)
    builder.metadata.buffers[Int(xLast)].layout = .channelsLast
    builder.metadata.buffers[Int(yLast)].layout = .channelsLast
    var params = Params()
    params.scales = [1, 2, 1, 1]
    builder.step(.f32Reorder, inputs: [x], outputs: [xLast], .reorder(Rescompile_Plan_ReorderParams()))
    builder.step(.resize, inputs: [xLast], outputs: [yLast], .resize(params))
    builder.step(.f32Reorder, inputs: [yLast], outputs: [y], .reorder(Rescompile_Plan_ReorderParams()))
    builder.input("x", x)
    builder.output("y", y)
    ChannelsLastLayoutTests.expectRejected("a channels-last resize keeps the batch and channel axes", builder)

    var mixed = builder
    mixed.metadata.buffers[Int(yLast)].layout = .rowMajor
    mixed.metadata.buffers[Int(yLast)].shape = shape.map(Int64.init)
    params.scales = [1, 1, 1, 1]
    mixed.metadata.steps[1].params = .resize(params)
    ChannelsLastLayoutTests.expectRejected("must have the same layout", mixed)
  }
}
