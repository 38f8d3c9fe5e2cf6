import ResKernels
import Testing

@testable import ResRuntime

/// `ChannelsLastPooling` against a naive channels-last loop with `PoolOperator`'s semantics: max (NaN
/// propagated, padding never counted), average with and without padded cells in the divisor, ceil-mode
/// windows past the end padding, global average; channel counts on and off the 16 lanes, two batch images,
/// one worker against three (bit-identical).
@Suite struct ChannelsLastPoolingTests {
  struct Geometry: CustomStringConvertible, Sendable {
    var spatial: [Int]
    var kernel: [Int]
    var strides: [Int]
    var dilations: [Int]
    var pads: [Int]
    var ceil = false

    var description: String { "in\(spatial) k\(kernel) s\(strides) d\(dilations) p\(pads) ceil \(ceil)" }
  }

  static let geometries: [Geometry] = [
    Geometry(spatial: [11, 9], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1]),
    Geometry(spatial: [8, 10], kernel: [2, 2], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0]),
    Geometry(spatial: [10, 7], kernel: [3, 2], strides: [3, 1], dilations: [1, 1], pads: [0, 1, 2, 1]),
    Geometry(spatial: [9, 12], kernel: [3, 3], strides: [2, 3], dilations: [2, 1], pads: [2, 1, 0, 2]),
    Geometry(spatial: [7, 8], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1], ceil: true),
    Geometry(spatial: [10, 11], kernel: [2, 3], strides: [3, 2], dilations: [1, 1], pads: [0, 1, 0, 0], ceil: true),
    Geometry(spatial: [13], kernel: [3], strides: [2], dilations: [1], pads: [1, 1], ceil: true),
    Geometry(spatial: [9], kernel: [2], strides: [1], dilations: [3], pads: [2, 0]),
    Geometry(spatial: [3, 4, 5], kernel: [2, 2, 3], strides: [1, 2, 2], dilations: [1, 1, 1], pads: [1, 0, 1, 0, 1, 1]),
  ]
  static let channelCounts = [1, 3, 8, 17, 24, 40]
  static let batch = 2

  enum Variant: CaseIterable, CustomStringConvertible {
    case max, averageIncludingPad, averageExcludingPad

    var kind: PoolOperator.Kind { self == .max ? .max : .average }
    var description: String {
      switch self {
      case .max: "max"
      case .averageIncludingPad: "average count_include_pad"
      case .averageExcludingPad: "average"
      }
    }
  }

  @Test(arguments: geometries)
  func matchesNaiveLoop(_ geometry: Geometry) throws {
    let axes = try ChannelsLastHarness.axes(
      spatial: geometry.spatial, kernel: geometry.kernel, strides: geometry.strides, dilations: geometry.dilations,
      pads: geometry.pads, ceil: geometry.ceil)
    for channels in Self.channelCounts {
      var random = SeededGenerator(seed: UInt64(channels * 7 + geometry.spatial.count))
      var x = random.floats(Self.batch * axes.inputPlane * channels)
      for index in stride(from: channels / 2, to: x.count, by: 37) { x[index] = .nan }
      for variant in Variant.allCases {
        let pooling = try ChannelsLastPooling(
          variant.kind, axes: axes, channels: channels, countIncludePad: variant == .averageIncludingPad,
          site: ChannelsLastHarness.site)
        let context = "\(geometry) C\(channels) \(variant)"
        let single = try run(pooling, x, workers: 1)
        let split = try run(pooling, x, workers: 3)
        #expect(single.map(\.bitPattern) == split.map(\.bitPattern), "\(context): 1 and 3 workers differ")
        expectClose(
          single.map(Double.init), naive(axes, channels: channels, x: x, variant), absolute: 1e-6, relative: 1e-6,
          context)
      }
    }
  }

  /// A global average's `[N, C]` output equals the NCHW operator's sequential double-precision sums bit for bit.
  @Test(arguments: [[5, 7], [13], [2, 3, 4]])
  func globalAverageMatchesSequentialDoubleSums(_ spatial: [Int]) throws {
    var axes = try WindowAxes(
      input: spatial, kernelShape: [], defaultKernel: spatial, strides: [], dilations: [], pads: [],
      operands: ChannelsLastHarness.operands)
    try axes.setOutput([Int](repeating: 1, count: spatial.count), ChannelsLastHarness.operands)
    for channels in Self.channelCounts {
      var random = SeededGenerator(seed: UInt64(channels))
      let x = random.floats(Self.batch * axes.inputPlane * channels)
      let pooling = try ChannelsLastPooling(
        .globalAverage, axes: axes, channels: channels, countIncludePad: false, site: ChannelsLastHarness.site)
      let single = try run(pooling, x, workers: 1)
      #expect(single == (try run(pooling, x, workers: 3)), "\(spatial) C\(channels): 1 and 3 workers differ")
      var expected: [Float] = []
      for n in 0..<Self.batch {
        for c in 0..<channels {
          var sum = 0.0
          for position in 0..<axes.inputPlane { sum += Double(x[(n * axes.inputPlane + position) * channels + c]) }
          expected.append(Float(sum / Double(axes.inputPlane)))
        }
      }
      #expect(single == expected, "\(spatial) C\(channels)")
    }
  }

  private func run(_ pooling: ChannelsLastPooling, _ x: [Float], workers: Int) throws -> [Float] {
    var y = [Float](repeating: 0.5, count: Self.batch * pooling.axes.outputPlane * pooling.channels)
    let scratch = try pooling.scratchBytes(site: ChannelsLastHarness.site)
    try ChannelsLastHarness.withContext(workers: workers, scratchBytes: scratch) { context in
      x.withUnsafeBufferPointer { input in
        y.withUnsafeMutableBufferPointer { output in
          pooling.run(context, input.baseAddress!, output.baseAddress!, batch: Self.batch, workers: workers)
        }
      }
    }
    return y
  }

  /// Each window's valid cells in weight order; the maximum takes a NaN or a larger value, the mean divides
  /// by the valid cells or by those inside the padded input.
  private func naive(_ axes: WindowAxes, channels: Int, x: [Float], _ variant: Variant) -> [Double] {
    var y = [Double](repeating: 0, count: Self.batch * axes.outputPlane * channels)
    for n in 0..<Self.batch {
      for od in 0..<axes.output[0] {
        for oh in 0..<axes.output[1] {
          for ow in 0..<axes.output[2] {
            let outputs = [od, oh, ow]
            for c in 0..<channels {
              var largest = -Float.infinity
              var sum: Float = 0
              var valid = 0
              var padded = 0
              for kd in 0..<axes.kernel[0] {
                for kh in 0..<axes.kernel[1] {
                  for kw in 0..<axes.kernel[2] {
                    let index = [kd, kh, kw].enumerated().map { axis, k in
                      outputs[axis] * axes.strides[axis] - axes.padsBegin[axis] + k * axes.dilations[axis]
                    }
                    let inPadded = (0..<3).allSatisfy { axis in
                      index[axis] >= -axes.padsBegin[axis] && index[axis] < axes.input[axis] + axes.padsEnd[axis]
                    }
                    if inPadded { padded += 1 }
                    guard (0..<3).allSatisfy({ (0..<axes.input[$0]).contains(index[$0]) }) else { continue }
                    let value = x[
                      ChannelsLastHarness.index(n, index[0], index[1], index[2], c, sizes: axes.input, channels: channels)]
                    if value > largest || value.isNaN { largest = value }
                    sum += value
                    valid += 1
                  }
                }
              }
              let at = ChannelsLastHarness.index(n, od, oh, ow, c, sizes: axes.output, channels: channels)
              switch variant {
              case .max: y[at] = Double(largest)
              case .averageIncludingPad: y[at] = Double(sum / Float(padded))
              case .averageExcludingPad: y[at] = Double(sum / Float(valid))
              }
            }
          }
        }
      }
    }
    return y
  }
}
