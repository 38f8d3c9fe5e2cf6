import ResKernels

/// The input layout of `DepthwiseGridMicrokernel` for a 2-D (or 1-D) depthwise convolution at stride 1 or 2
/// (the same along both axes) without dilation: each channel's padded plane split into `stride²` phase planes
/// (row phase × column phase; at stride 1 the padded plane itself), `phaseRows × phaseWidth` each, back to
/// back. Output (h, w) then has its window origin at grid position `h·phaseWidth + w` of phase plane 0, and
/// tap (kh, kw) reads phase plane `(kh mod s, kw mod s)` at offset `(kh / s)·phaseWidth + kw / s` from there.
struct DepthwiseGrid: Sendable {
  let stride: Int
  let phaseRows: Int
  let phaseWidth: Int
  let phasePlane: Int
  /// Every tap's offset from a grid position, in weight order, phase plane included.
  let taps: [Int]
  /// Grid positions up to the last output: `(outH − 1)·phaseWidth + outW`.
  let count: Int

  /// The grid of `input`'s geometry, or nil when its stride, dilation or window depth is not one this layout
  /// covers (the row-tile kernel runs those).
  init?(_ input: PaddedInput) {
    let axes = input.axes
    let stride = axes.strides[1]
    guard axes.kernel[0] == 1, axes.strides[2] == stride, stride == 1 || stride == 2, axes.dilations[1] == 1,
      axes.dilations[2] == 1, axes.output[1] > 0, axes.output[2] > 0
    else { return nil }
    self.stride = stride
    phaseRows = (input.shape[1] + stride - 1) / stride
    phaseWidth = (input.shape[2] + stride - 1) / stride
    phasePlane = phaseRows * phaseWidth
    var taps: [Int] = []
    for kh in 0..<axes.kernel[1] {
      for kw in 0..<axes.kernel[2] {
        let phase = (kh % stride) * stride + kw % stride
        taps.append(phase * phasePlane + (kh / stride) * phaseWidth + kw / stride)
      }
    }
    self.taps = taps
    count = (axes.output[1] - 1) * phaseWidth + axes.output[2]
  }

  /// Floats of one worker's scratch: the phase planes and the room the kernel's last vector reads past them,
  /// one padded input row (to split into phases), and the grid of sums rounded up to whole vectors; each piece
  /// starts on a 16-float boundary.
  func scratchFloats(site: StepSite) throws(RuntimeError) -> Int {
    let planes = try CheckedMath.multiply(phasePlane, stride * stride, "\(site): depthwise phase planes")
    let row = try CheckedMath.add(stride * phaseWidth, DepthwiseConvolution.slack, "\(site): depthwise row")
    let sums = try CheckedMath.add(count, 16, "\(site): depthwise grid")
    let total = try CheckedMath.add(planes + DepthwiseConvolution.slack, row, "\(site): depthwise scratch")
    return try CheckedMath.add(total, sums + 32, "\(site): depthwise scratch")
  }

  /// Where the scratch's pieces start: phase planes, then the row buffer, then the sums.
  func layout(_ scratch: UnsafeMutablePointer<Float>) -> (
    planes: UnsafeMutablePointer<Float>, row: UnsafeMutablePointer<Float>, sums: UnsafeMutablePointer<Float>
  ) {
    let planes = scratch
    let row = planes + Self.roundedToVectors(stride * stride * phasePlane + DepthwiseConvolution.slack)
    let sums = row + Self.roundedToVectors(stride * phaseWidth + DepthwiseConvolution.slack)
    return (planes, row, sums)
  }

  private static func roundedToVectors(_ floats: Int) -> Int {
    (floats + 15) / 16 * 16
  }

  /// Writes one input plane, padded, into the phase planes (`row` is scratch for one padded row).
  func copyPlane(
    _ source: UnsafePointer<Float>, _ input: PaddedInput, into planes: UnsafeMutablePointer<Float>,
    row: UnsafeMutablePointer<Float>
  ) {
    let axes = input.axes
    let (inH, inW) = (axes.input[1], axes.input[2])
    let left = axes.padsBegin[2]
    let width = stride * phaseWidth
    for paddedRow in 0..<(stride * phaseRows) {
      let inputRow = paddedRow - axes.padsBegin[1]
      let target = stride == 1 ? planes + paddedRow * phaseWidth : row
      if inputRow >= 0, inputRow < inH, paddedRow < input.shape[1] {
        VectorAccess.fill(target, floats: left, with: 0)
        VectorAccess.copy(source + inputRow * inW, to: target + left, floats: inW)
        VectorAccess.fill(target + left + inW, floats: width - left - inW, with: 0)
      } else {
        VectorAccess.fill(target, floats: width, with: 0)
      }
      if stride == 2 {
        let phaseRow = planes + (paddedRow % 2) * 2 * phasePlane + (paddedRow / 2) * phaseWidth
        Self.deinterleave(UnsafePointer(row), even: phaseRow, odd: phaseRow + phasePlane, count: phaseWidth)
      }
    }
  }

  /// `even[i] = row[2i]`, `odd[i] = row[2i + 1]` for `i < count`; reads up to 32 floats past `2·count`.
  private static func deinterleave(
    _ row: UnsafePointer<Float>, even: UnsafeMutablePointer<Float>, odd: UnsafeMutablePointer<Float>, count: Int
  ) {
    var i = 0
    while i < count {
      let width = min(16, count - i)
      VectorAccess.storePartial(VectorAccess.loadEvenLanes(row + 2 * i), even + i, width)
      VectorAccess.storePartial(VectorAccess.loadEvenLanes(row + 2 * i + 1), odd + i, width)
      i += 16
    }
  }
}
