import Testing

@testable import ResRuntime

/// `Im2ColPanels` against the im2col matrix built by definition: every panel start and width over geometries
/// whose panels straddle output rows and planes, fall in the padding on every side, stride past the input,
/// and dilate; with reduction blocks that start mid-channel.
@Suite struct Im2ColPanelsTests {
  struct Geometry: CustomStringConvertible, Sendable {
    var input: [Int]
    var kernel: [Int]
    var strides: [Int]
    var dilations: [Int]
    var pads: [Int]

    var description: String { "in\(input) k\(kernel) s\(strides) d\(dilations) p\(pads)" }
  }

  static let geometries: [Geometry] = [
    Geometry(input: [1, 5, 7], kernel: [1, 3, 3], strides: [1, 1, 1], dilations: [1, 1, 1], pads: [0, 1, 1, 0, 1, 1]),
    Geometry(input: [1, 9, 8], kernel: [1, 1, 1], strides: [1, 2, 2], dilations: [1, 1, 1], pads: [0, 0, 0, 0, 0, 0]),
    Geometry(input: [1, 11, 10], kernel: [1, 7, 7], strides: [1, 2, 2], dilations: [1, 1, 1], pads: [0, 3, 3, 0, 3, 3]),
    Geometry(input: [1, 6, 9], kernel: [1, 3, 2], strides: [1, 1, 3], dilations: [1, 2, 3], pads: [0, 2, 0, 0, 1, 4]),
    Geometry(input: [3, 4, 5], kernel: [2, 3, 2], strides: [2, 1, 1], dilations: [1, 1, 2], pads: [1, 0, 1, 0, 1, 1]),
    Geometry(input: [1, 1, 19], kernel: [1, 1, 5], strides: [1, 1, 1], dilations: [1, 1, 1], pads: [0, 0, 4, 0, 0, 4]),
  ]

  @Test(arguments: geometries)
  func panelsMatchTheIm2ColMatrix(_ geometry: Geometry) throws {
    let channels = 3
    let axes = try windowAxes(geometry)
    var random = SeededGenerator(seed: UInt64(axes.inputPlane))
    let input = random.floats(channels * axes.inputPlane)
    let rows = channels * axes.kernelVolume
    let columns = axes.outputPlane
    let matrix = im2col(input, axes, channels: channels)
    let width = 16
    for depthStart in [0, axes.kernelVolume / 2, rows - 1] {
      let depth = rows - depthStart
      for columnStart in 0..<columns {
        for count in Set([1, min(width, columns - columnStart)]).sorted() {
          var panel = [Float](repeating: .nan, count: depth * width)
          input.withUnsafeBufferPointer { source in
            panel.withUnsafeMutableBufferPointer { destination in
              Im2ColPanels(input: source.baseAddress!, axes: axes).packPanel(
                depthStart: depthStart, depth: depth, columnStart: columnStart, columns: count, width: width,
                into: destination.baseAddress!)
            }
          }
          for step in 0..<depth {
            for j in 0..<width {
              let expected = j < count ? matrix[(depthStart + step) * columns + columnStart + j] : 0
              #expect(
                panel[step * width + j].bitPattern == expected.bitPattern,
                "\(geometry) row \(depthStart + step) column \(columnStart + j) of a \(count)-column panel")
            }
          }
        }
      }
    }
  }

  private func windowAxes(_ geometry: Geometry) throws -> WindowAxes {
    let operands = StepOperands(
      site: StepSite(index: 0, name: "test", kernel: "test"), inputs: [], outputs: [],
      constants: UnsafeRawBufferPointer(start: nil, count: 0))
    var axes = try WindowAxes(
      input: geometry.input, kernelShape: geometry.kernel.map(Int64.init), defaultKernel: nil,
      strides: geometry.strides.map(Int64.init), dilations: geometry.dilations.map(Int64.init),
      pads: geometry.pads.map(Int64.init), operands: operands)
    let output = try (0..<3).map { axis in try #require(axes.floorOutput(axis: axis)) }
    try axes.setOutput(output, operands)
    return axes
  }

  /// Row `(c, kd, kh, kw)`, column = output position, zero where the window is in the padding.
  private func im2col(_ input: [Float], _ axes: WindowAxes, channels: Int) -> [Float] {
    var matrix: [Float] = []
    for c in 0..<channels {
      for kd in 0..<axes.kernel[0] {
        for kh in 0..<axes.kernel[1] {
          for kw in 0..<axes.kernel[2] {
            for od in 0..<axes.output[0] {
              for oh in 0..<axes.output[1] {
                for ow in 0..<axes.output[2] {
                  let id = od * axes.strides[0] + kd * axes.dilations[0] - axes.padsBegin[0]
                  let ih = oh * axes.strides[1] + kh * axes.dilations[1] - axes.padsBegin[1]
                  let iw = ow * axes.strides[2] + kw * axes.dilations[2] - axes.padsBegin[2]
                  let inside =
                    id >= 0 && id < axes.input[0] && ih >= 0 && ih < axes.input[1] && iw >= 0 && iw < axes.input[2]
                  matrix.append(
                    inside ? input[c * axes.inputPlane + (id * axes.input[1] + ih) * axes.input[2] + iw] : 0)
                }
              }
            }
          }
        }
      }
    }
    return matrix
  }
}
