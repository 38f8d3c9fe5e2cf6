/// The "im2col" matrix of a convolution: one row per (input channel, kernel tap), one column per output
/// position, holding the input element that tap reads for that output, or 0 where it reads padding.
///
/// Row `((c·KD + kd)·KH + kh)·KW + kw` matches the layout of a weight row `W[m, c, kd, kh, kw]`, so the
/// convolution of one group is exactly `W · patches`.
enum PatchMatrix {
  static func build(
    _ input: [Double], planes: Range<Int>, planeSize: Int, _ depth: SpatialAxis, _ height: SpatialAxis,
    _ width: SpatialAxis
  ) -> [Double] {
    let columns = depth.output * height.output * width.output
    let rows = planes.count * depth.kernel * height.kernel * width.kernel
    var patches = [Double](repeating: 0, count: rows * columns)
    input.withUnsafeBufferPointer { x in
      patches.withUnsafeMutableBufferPointer { p in
        guard let x = x.baseAddress, let p = p.baseAddress else { return }
        var row = p
        for plane in planes {
          for kd in 0..<depth.kernel {
            for kh in 0..<height.kernel {
              for kw in 0..<width.kernel {
                fillRow(row, from: x + plane * planeSize, taps: (kd, kh, kw), depth, height, width)
                row += columns
              }
            }
          }
        }
      }
    }
    return patches
  }

  /// Writes the inputs one tap reads, for every output position, into a zeroed row.
  private static func fillRow(
    _ row: UnsafeMutablePointer<Double>, from plane: UnsafePointer<Double>, taps: (Int, Int, Int),
    _ depth: SpatialAxis, _ height: SpatialAxis, _ width: SpatialAxis
  ) {
    let columns = width.outputsReadingInput(tap: taps.2)
    guard !columns.isEmpty else { return }
    let rows = height.outputsReadingInput(tap: taps.1)
    let firstColumn = width.inputPosition(output: columns.lowerBound, tap: taps.2)
    for od in depth.outputsReadingInput(tap: taps.0) {
      let id = depth.inputPosition(output: od, tap: taps.0)
      for oh in rows {
        let ih = height.inputPosition(output: oh, tap: taps.1)
        var target = row + (od * height.output + oh) * width.output + columns.lowerBound
        let end = target + columns.count
        var source = plane + (id * height.input + ih) * width.input + firstColumn
        while target < end {
          target.pointee = source.pointee
          target += 1
          source += width.stride
        }
      }
    }
  }
}
