import ResKernels

/// The input layout of `DepthwiseGridMicrokernel` for a 2-D (or 1-D) depthwise convolution at stride 1 or 2
/// (the same along both axes) without dilation: each channel's padded plane split into `stride²` phase planes
/// (row phase × column phase; at stride 1 the padded plane itself), `phaseRows × phaseWidth` each, back to
/// back. Output (h, w) then has its window origin at grid position `h·phaseWidth + w` of phase plane 0, and
/// tap (kh, kw) reads phase plane `(kh mod s, kw mod s)` at offset `(kh / s)·phaseWidth + kw / s` from there.
///
/// With `readsEvenLanes` (stride 2 into narrow output rows: MobileNetV2's 14→7 layer) the plane is
/// not split: it is laid out as at stride 1, output (h, w) is grid position `h·phaseWidth + w` with its
/// window origin at twice that, and the kernel loads every other float (`DepthwiseGridMicrokernel.runEvenLanes`).
/// Splitting a 14×14 plane into phases cost three times the convolution: two short partial stores per input
/// row, against one contiguous copy.
struct DepthwiseGrid: Sendable {
  let stride: Int
  let readsEvenLanes: Bool
  let phaseRows: Int
  let phaseWidth: Int
  let phasePlane: Int
  /// Every tap's offset from a grid position (from twice the position when `readsEvenLanes`), in weight
  /// order, phase plane included.
  let taps: [Int]
  /// Grid positions up to the last output: `(outH − 1)·phaseWidth + outW`.
  let count: Int
  /// Floats from the first phase plane's start that the kernel may read: the planes and what its last vector
  /// reads past them.
  let readFloats: Int

  /// The grid of `input`'s geometry, or nil when its stride, dilation or window depth is not one this layout
  /// covers (the row-tile kernel runs those). `evenLanes` asks for the unsplit layout at stride 2.
  init?(_ input: PaddedInput, evenLanes: Bool = false) {
    let axes = input.axes
    let stride = axes.strides[1]
    guard axes.kernel[0] == 1, axes.strides[2] == stride, stride == 1 || stride == 2, axes.dilations[1] == 1,
      axes.dilations[2] == 1, axes.output[1] > 0, axes.output[2] > 0
    else { return nil }
    self.stride = stride
    readsEvenLanes = evenLanes && stride == 2
    let split = readsEvenLanes ? 1 : stride
    phaseRows = (input.shape[1] + split - 1) / split
    phaseWidth = (input.shape[2] + split - 1) / split
    phasePlane = phaseRows * phaseWidth
    var taps: [Int] = []
    for kh in 0..<axes.kernel[1] {
      for kw in 0..<axes.kernel[2] {
        let phase = (kh % split) * split + kw % split
        taps.append(phase * phasePlane + (kh / split) * phaseWidth + kw / split)
      }
    }
    self.taps = taps
    count = (axes.output[1] - 1) * phaseWidth + axes.output[2]
    let lastVector = (count + 15) / 16 * 16 - 16
    let lastTap = taps.max() ?? 0
    let reach = readsEvenLanes ? 2 * lastVector + lastTap + 32 : lastVector + lastTap + 16
    readFloats = max(reach, split * split * phasePlane + DepthwiseConvolution.slack)
  }

  /// Floats of one channel's phase planes.
  var planeFloats: Int { (readsEvenLanes ? 1 : stride * stride) * phasePlane }

  /// Floats of one worker's scratch: what the kernel reads (`readFloats`), then the grid of sums rounded up
  /// to whole vectors; each piece starts on a 16-float boundary.
  func scratchFloats(site: StepSite) throws(RuntimeError) -> Int {
    let sums = try CheckedMath.add(count, 16, "\(site): depthwise grid")
    let total = try CheckedMath.add(readFloats, 16, "\(site): depthwise scratch")
    return try CheckedMath.add(total, sums + 16, "\(site): depthwise scratch")
  }

  /// Where the scratch's pieces start: phase planes, then the sums.
  func layout(
    _ scratch: UnsafeMutablePointer<Float>
  ) -> (planes: UnsafeMutablePointer<Float>, sums: UnsafeMutablePointer<Float>) {
    (scratch, scratch + Self.roundedToVectors(readFloats))
  }

  private static func roundedToVectors(_ floats: Int) -> Int {
    (floats + 15) / 16 * 16
  }

  /// Zeroes one channel's phase planes (`planeFloats`; the slack after them is the caller's). `copyInterior`
  /// writes only the cells of the input, so the padding written here serves every channel copied into the
  /// same planes afterwards: filling each padded row's border per channel cost as much as copying the row on
  /// MobileNet's small planes.
  func clear(_ planes: UnsafeMutablePointer<Float>) {
    VectorAccess.fill(planes, floats: planeFloats, with: 0)
  }

  /// Writes one input plane into the phase planes' input cells (their padding as `clear` left it): at stride
  /// 2 each input row is split into its even and odd columns straight from the source.
  func copyInterior(_ source: UnsafePointer<Float>, _ input: PaddedInput, into planes: UnsafeMutablePointer<Float>) {
    let axes = input.axes
    let (inH, inW) = (axes.input[1], axes.input[2])
    let (top, left) = (axes.padsBegin[1], axes.padsBegin[2])
    let planeEnd = source + inH * inW
    for inputRow in 0..<inH {
      let paddedRow = inputRow + top
      let rowSource = source + inputRow * inW
      guard stride == 2, !readsEvenLanes else {
        VectorAccess.copy(rowSource, to: planes + paddedRow * phaseWidth + left, floats: inW)
        continue
      }
      let phaseRow = planes + (paddedRow % 2) * 2 * phasePlane + (paddedRow / 2) * phaseWidth
      // Input column x is padded column x + left: phase (x + left) mod 2 at (x + left) / 2.
      Self.splitColumns(
        rowSource, end: planeEnd, count: inW, even: phaseRow + (left % 2) * phasePlane + left / 2,
        odd: phaseRow + ((left + 1) % 2) * phasePlane + (left + 1) / 2)
    }
  }

  /// `even[i] = source[2i]` for `2i < count` and `odd[i] = source[2i + 1]` for `2i + 1 < count`, both
  /// from the same two vector loads per 32 floats, never reading at or past `end`. Copying the two column
  /// phases in separate passes loaded every row twice (once from an odd address) and ran the shuffle loop
  /// twice: the split copy was the larger part of MobileNetV2's stride-2 depthwise layers.
  private static func splitColumns(
    _ source: UnsafePointer<Float>, end: UnsafePointer<Float>, count: Int, even: UnsafeMutablePointer<Float>,
    odd: UnsafeMutablePointer<Float>
  ) {
    let evenCount = (count + 1) / 2
    let oddCount = count / 2
    var i = 0
    while i < evenCount {
      let start = source + 2 * i
      let (evens, odds): (SIMD16<Float>, SIMD16<Float>)
      if end - start >= 32 {
        (evens, odds) = VectorAccess.loadEvenAndOddLanes(start)
      } else {
        (evens, odds) = withUnsafeTemporaryAllocation(of: Float.self, capacity: 32) { buffer in
          let tail = buffer.baseAddress!
          VectorAccess.fill(tail, floats: 32, with: 0)
          VectorAccess.copy(start, to: tail, floats: end - start)
          return VectorAccess.loadEvenAndOddLanes(UnsafePointer(tail))
        }
      }
      VectorAccess.storePartial(evens, even + i, min(16, evenCount - i))
      if i < oddCount { VectorAccess.storePartial(odds, odd + i, min(16, oddCount - i)) }
      i += 16
    }
  }
}
