import ResKernels
import Testing

@testable import ResRuntime

/// `ChannelsLastDepthwise` against a naive channels-last loop: every geometry with channel counts on and off
/// the 16 lanes, two batch images, every epilogue combination, and one worker against three (bit-identical).
@Suite struct ChannelsLastDepthwiseTests {
  struct Geometry: CustomStringConvertible, Sendable {
    var spatial: [Int]
    var kernel: [Int]
    var strides: [Int]
    var dilations: [Int]
    var pads: [Int]

    var description: String { "in\(spatial) k\(kernel) s\(strides) d\(dilations) p\(pads)" }
  }

  static let geometries: [Geometry] = [
    Geometry(spatial: [9, 11], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1]),
    Geometry(spatial: [9, 11], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1]),
    Geometry(spatial: [10, 8], kernel: [3, 3], strides: [3, 3], dilations: [1, 1], pads: [0, 2, 1, 0]),
    Geometry(spatial: [9, 12], kernel: [5, 5], strides: [1, 2], dilations: [2, 2], pads: [2, 1, 3, 2]),
    Geometry(spatial: [8, 13], kernel: [7, 7], strides: [1, 1], dilations: [1, 1], pads: [3, 3, 3, 3]),
    Geometry(spatial: [7, 10], kernel: [2, 3], strides: [2, 1], dilations: [1, 2], pads: [1, 0, 0, 2]),
    Geometry(spatial: [3, 3], kernel: [5, 5], strides: [1, 1], dilations: [1, 1], pads: [2, 2, 2, 2]),
    Geometry(spatial: [13], kernel: [3], strides: [2], dilations: [1], pads: [1, 2]),
    Geometry(spatial: [9], kernel: [4], strides: [1], dilations: [2], pads: [3, 0]),
    Geometry(spatial: [4, 5, 6], kernel: [3, 2, 3], strides: [1, 2, 1], dilations: [1, 1, 2], pads: [1, 0, 1, 1, 1, 2]),
  ]
  static let channelCounts = [1, 3, 8, 17, 24, 40]
  static let batch = 2

  struct Epilogue: CustomStringConvertible {
    var bias: Bool
    var residual: Bool
    var activation: PointwiseFunction

    var description: String { "bias \(bias) residual \(residual) \(activation.name)" }

    static let all: [Epilogue] = [false, true].flatMap { bias in
      [false, true].flatMap { residual in
        [PointwiseFunction.identity, .clip(min: -0.25, max: 0.5)].map {
          Epilogue(bias: bias, residual: residual, activation: $0)
        }
      }
    }
  }

  @Test(arguments: geometries)
  func matchesNaiveLoop(_ geometry: Geometry) throws {
    let axes = try ChannelsLastHarness.axes(
      spatial: geometry.spatial, kernel: geometry.kernel, strides: geometry.strides, dilations: geometry.dilations,
      pads: geometry.pads)
    for (channelIndex, channels) in Self.channelCounts.enumerated() {
      var random = SeededGenerator(seed: UInt64(channels * 31 + geometry.spatial.count))
      let x = random.floats(Self.batch * axes.inputPlane * channels)
      let w = random.floats(channels * axes.kernelVolume)
      let bias = random.floats(channels)
      let residual = random.floats(Self.batch * axes.outputPlane * channels)
      let (rows, planes) = try w.withUnsafeBufferPointer { weights in
        let make = { (choice: ChannelsLastDepthwise.PlaneChoice) throws(RuntimeError) in
          try ChannelsLastDepthwise(
            weights: weights.baseAddress!, axes: axes, channels: channels, multiplier: 1,
            site: ChannelsLastHarness.site, planes: choice)
        }
        return (try make(.never), try make(.always))
      }
      let byRows = try #require(rows)
      let byPlanes = try #require(planes)
      #expect(byRows.plane == nil)
      #expect((byPlanes.plane != nil) == (geometry.spatial.count < 3), "\(geometry): padded planes for 1-D and 2-D")
      // Two epilogues per channel count, so each geometry meets all eight.
      for epilogue in [Epilogue.all[2 * channelIndex % 8], Epilogue.all[(2 * channelIndex + 1) % 8]] {
        let context = "\(geometry) C\(channels) \(epilogue)"
        let bias = epilogue.bias ? bias : nil
        let residual = epilogue.residual ? residual : nil
        let single = try run(byRows, x, bias: bias, residual: residual, epilogue.activation, workers: 1)
        let split = try run(byRows, x, bias: bias, residual: residual, epilogue.activation, workers: 3)
        #expect(single == split, "\(context): 1 and 3 workers differ")
        let expected = naive(
          axes, channels: channels, x: x, w: w, bias: bias, residual: residual, epilogue.activation)
        expectClose(single.map(Double.init), expected, absolute: 1e-5, relative: 1e-5, context)
        // Padded planes (one worker; several take the rows): the same bits, a padded tap adding a zero to a
        // sum that is never −0.
        let planeSingle = try run(byPlanes, x, bias: bias, residual: residual, epilogue.activation, workers: 1)
        #expect(planeSingle == single, "\(context): padded planes differ from rows")
      }
    }
  }

  /// Where padded planes pay: a 3×3 window on 14×14 and 28×28, a 5×5 one on 6×6; not on 56×56 (the plane
  /// leaves the cache), at 14→7 with stride 2 or under a 5×5 window on 3×3 (the copy outweighs the borders).
  @Test func paddedPlanesWhereTheyMeasuredFaster() throws {
    let cases: [(spatial: Int, kernel: Int, stride: Int, planes: Bool)] = [
      (14, 3, 1, true), (28, 3, 1, true), (7, 3, 1, true), (6, 5, 1, true), (12, 5, 1, true),
      (56, 3, 1, false), (14, 3, 2, false), (3, 5, 1, false),
    ]
    for (spatial, kernel, stride, expected) in cases {
      let pad = kernel / 2
      let axes = try ChannelsLastHarness.axes(
        spatial: [spatial, spatial], kernel: [kernel, kernel], strides: [stride, stride], dilations: [1, 1],
        pads: [pad, pad, pad, pad])
      let weights = [Float](repeating: 1, count: 16 * kernel * kernel)
      let depthwise = try #require(
        try weights.withUnsafeBufferPointer { pointer in
          try ChannelsLastDepthwise(
            weights: pointer.baseAddress!, axes: axes, channels: 16, multiplier: 1, site: ChannelsLastHarness.site)
        })
      #expect((depthwise.plane != nil) == expected, "\(spatial)x\(spatial) k\(kernel) s\(stride)")
    }
  }

  /// The residual in place (the output's own bytes, as an in-place epilogue binds them), on the rows and on
  /// padded planes: 40 channels end in a partial block, which must not run as a whole block overlapping the
  /// one before it (that block's channels would add their already stored results as their residual).
  @Test func residualInPlace() throws {
    let axes = try ChannelsLastHarness.axes(
      spatial: [9, 11], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1])
    let channels = 40
    var random = SeededGenerator(seed: 77)
    let x = random.floats(Self.batch * axes.inputPlane * channels)
    let w = random.floats(channels * axes.kernelVolume)
    let initial = random.floats(Self.batch * axes.outputPlane * channels)
    let expected = naive(axes, channels: channels, x: x, w: w, bias: nil, residual: initial, .identity)
    for choice in [ChannelsLastDepthwise.PlaneChoice.never, .always] {
      let depthwise = try #require(
        try w.withUnsafeBufferPointer { weights in
          try ChannelsLastDepthwise(
            weights: weights.baseAddress!, axes: axes, channels: channels, multiplier: 1,
            site: ChannelsLastHarness.site, planes: choice)
        })
      var y = initial
      let scratch = try depthwise.scratchBytes(site: ChannelsLastHarness.site)
      try ChannelsLastHarness.withContext(workers: 1, scratchBytes: scratch) { context in
        x.withUnsafeBufferPointer { input in
          y.withUnsafeMutableBufferPointer { output in
            depthwise.run(
              context,
              ChannelsLastDepthwise.Operands(
                input: input.baseAddress!, output: output.baseAddress!, bias: nil,
                residual: UnsafePointer(output.baseAddress!), activation: .identity),
              batch: Self.batch, workers: 1)
          }
        }
      }
      expectClose(y.map(Double.init), expected, absolute: 1e-5, relative: 1e-5, "residual in place, \(choice)")
    }
  }

  @Test func channelMultiplierAboveOneIsRefused() throws {
    let axes = try ChannelsLastHarness.axes(
      spatial: [5, 5], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1])
    let weights = [Float](repeating: 1, count: 8 * 9)
    let depthwise = try weights.withUnsafeBufferPointer { pointer in
      try ChannelsLastDepthwise(
        weights: pointer.baseAddress!, axes: axes, channels: 4, multiplier: 2, site: ChannelsLastHarness.site)
    }
    #expect(depthwise == nil)
  }

  private func run(
    _ depthwise: ChannelsLastDepthwise, _ x: [Float], bias: [Float]?, residual: [Float]?,
    _ activation: PointwiseFunction, workers: Int
  ) throws -> [Float] {
    var y = [Float](repeating: .nan, count: Self.batch * depthwise.axes.outputPlane * depthwise.channels)
    let scratch = try depthwise.scratchBytes(site: ChannelsLastHarness.site)
    try ChannelsLastHarness.withContext(workers: workers, scratchBytes: scratch) { context in
      x.withUnsafeBufferPointer { input in
        y.withUnsafeMutableBufferPointer { output in
          withOptionalPointer(bias) { biasPointer in
            withOptionalPointer(residual) { residualPointer in
              depthwise.run(
                context,
                ChannelsLastDepthwise.Operands(
                  input: input.baseAddress!, output: output.baseAddress!, bias: biasPointer,
                  residual: residualPointer, activation: activation),
                batch: Self.batch, workers: workers)
            }
          }
        }
      }
    }
    return y
  }

  private func withOptionalPointer(_ values: [Float]?, _ body: (UnsafePointer<Float>?) -> Void) {
    guard let values else { return body(nil) }
    values.withUnsafeBufferPointer { body($0.baseAddress) }
  }

  /// `activation(Σ x·w + bias + residual)` position by position, channel by channel, taps outside the input
  /// left out.
  private func naive(
    _ axes: WindowAxes, channels: Int, x: [Float], w: [Float], bias: [Float]?, residual: [Float]?,
    _ activation: PointwiseFunction
  ) -> [Double] {
    var y = [Double](repeating: 0, count: Self.batch * axes.outputPlane * channels)
    for n in 0..<Self.batch {
      for od in 0..<axes.output[0] {
        for oh in 0..<axes.output[1] {
          for ow in 0..<axes.output[2] {
            for c in 0..<channels {
              var sum = 0.0
              for kd in 0..<axes.kernel[0] {
                for kh in 0..<axes.kernel[1] {
                  for kw in 0..<axes.kernel[2] {
                    let id = od * axes.strides[0] - axes.padsBegin[0] + kd * axes.dilations[0]
                    let ih = oh * axes.strides[1] - axes.padsBegin[1] + kh * axes.dilations[1]
                    let iw = ow * axes.strides[2] - axes.padsBegin[2] + kw * axes.dilations[2]
                    guard (0..<axes.input[0]).contains(id), (0..<axes.input[1]).contains(ih),
                      (0..<axes.input[2]).contains(iw)
                    else { continue }
                    let input = ChannelsLastHarness.index(n, id, ih, iw, c, sizes: axes.input, channels: channels)
                    let weight = c * axes.kernelVolume + (kd * axes.kernel[1] + kh) * axes.kernel[2] + kw
                    sum += Double(x[input]) * Double(w[weight])
                  }
                }
              }
              let at = ChannelsLastHarness.index(n, od, oh, ow, c, sizes: axes.output, channels: channels)
              sum += Double(bias?[c] ?? 0) + Double(residual?[at] ?? 0)
              y[at] = Double(activation(SIMD16<Float>(repeating: Float(sum)))[0])
            }
          }
        }
      }
    }
    return y
  }
}
