/// A convolution's input seen as the im2col matrix (row `(c, kd, kh, kw)`, column = output position) and
/// packed panel by panel without ever materializing the whole matrix.
///
/// A panel row is one reduction step over up to `width` consecutive output positions: one segment per output
/// row the panel touches, each a run of input elements `stride` apart in a single input row. The position
/// arithmetic is done once per segment, not per element: columns whose window falls in the padding are
/// zeroed as a range, and the rest is a plain copy (contiguous at unit stride, a strided gather otherwise).
/// Every read stays inside the input plane.
struct Im2ColPanels: PanelSource {
  let input: UnsafePointer<Float>
  let axes: WindowAxes

  func packPanel(
    depthStart: Int, depth: Int, columnStart: Int, columns: Int, width: Int, into panel: UnsafeMutablePointer<Float>
  ) {
    let (outH, outW) = (axes.output[1], axes.output[2])
    let first = OutputPosition(d: columnStart / (outH * outW), h: columnStart / outW % outH, w: columnStart % outW)
    let (kernelH, kernelW) = (axes.kernel[1], axes.kernel[2])
    let kernelVolume = axes.kernelVolume
    for step in 0..<depth {
      let row = depthStart + step
      let offset = row % kernelVolume
      let tap = (d: offset / (kernelH * kernelW), h: offset / kernelW % kernelH, w: offset % kernelW)
      let destination = panel + step * width
      packRow(
        channel: input + (row / kernelVolume) * axes.inputPlane, tap: tap, first: first, columns: columns,
        into: destination)
      (destination + columns).update(repeating: 0, count: width - columns)
    }
  }

  private struct OutputPosition {
    var d: Int
    var h: Int
    var w: Int
  }

  /// One panel row: the values tap `tap` of channel `channel` sees at `columns` output positions from `first`.
  private func packRow(
    channel: UnsafePointer<Float>, tap: (d: Int, h: Int, w: Int), first: OutputPosition, columns: Int,
    into destination: UnsafeMutablePointer<Float>
  ) {
    let (inD, inH) = (axes.input[0], axes.input[1])
    let (outH, outW) = (axes.output[1], axes.output[2])
    let shiftD = tap.d * axes.dilations[0] - axes.padsBegin[0]
    let shiftH = tap.h * axes.dilations[1] - axes.padsBegin[1]
    let shiftW = tap.w * axes.dilations[2] - axes.padsBegin[2]
    var position = first
    var column = 0
    while column < columns {
      let length = min(columns - column, outW - position.w)
      let id = position.d * axes.strides[0] + shiftD
      let ih = position.h * axes.strides[1] + shiftH
      if id >= 0 && id < inD && ih >= 0 && ih < inH {
        packSegment(
          channel + (id * inH + ih) * axes.input[2], firstColumn: position.w * axes.strides[2] + shiftW,
          length: length, into: destination + column)
      } else {
        (destination + column).update(repeating: 0, count: length)
      }
      column += length
      position.w = 0
      position.h += 1
      if position.h == outH {
        position.h = 0
        position.d += 1
      }
    }
  }

  /// `length` values of one input row read from column `firstColumn` at the width stride; columns outside the
  /// row (padding) give zeros.
  @inline(__always)
  private func packSegment(
    _ row: UnsafePointer<Float>, firstColumn: Int, length: Int, into destination: UnsafeMutablePointer<Float>
  ) {
    let stride = axes.strides[2]
    let inW = axes.input[2]
    var start = 0
    while start < length && firstColumn + start * stride < 0 { start += 1 }
    var end = length
    while end > start && firstColumn + (end - 1) * stride >= inW { end -= 1 }
    destination.update(repeating: 0, count: start)
    let source = row + firstColumn + start * stride
    if stride == 1 {
      (destination + start).update(from: source, count: end - start)
    } else {
      for j in 0..<(end - start) { destination[start + j] = source[j * stride] }
    }
    (destination + end).update(repeating: 0, count: length - end)
  }
}
