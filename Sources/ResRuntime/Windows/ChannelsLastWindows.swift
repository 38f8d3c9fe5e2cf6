/// The windows of a depthwise convolution or pooling over a channels-last input (`[N, D, H, W, C]` with the
/// leading spatial axes of size 1 for 1-D and 2-D), walked one output row at a time as segments of
/// consecutive output positions that share one list of taps.
///
/// In channels-last the C values of a position are contiguous, so a tap is one offset from the window's
/// origin for every channel and the kernels vectorize over the channels at any stride or dilation. Nothing
/// is copied or padded: taps outside the input are left out of the list instead. A row's interior columns
/// (every column tap inside the input) form one segment with the row's taps; each border column is a
/// segment of its own with only its valid taps. Taps are listed in weight order (kd, kh, kw) whatever the
/// segment, so a position's sum never depends on how the rows were split over workers.
struct ChannelsLastWindows: Sendable {
  let axes: WindowAxes
  let channels: Int
  /// Floats between consecutive input positions along each spatial axis.
  let inputStrides: [Int]
  /// Floats of one image's input and output.
  let inputImage: Int
  let outputImage: Int
  /// Output columns whose windows have every column tap inside the input.
  let interiorColumns: Range<Int>
  /// Ints of tap lists one worker needs: offsets and weight indices for a row and for one border column.
  let tapListInts: Int

  /// One run of consecutive output positions of a row with one tap list.
  struct Segment {
    /// Floats from the image's input to the window origin of the first position (which may lie outside
    /// the input, in the padding), and from the image's output to the first position.
    var inputOffset: Int
    var outputOffset: Int
    var positions: Int
    var tapCount: Int
    /// Taps inside the input, and inside the padded input (ceil-mode cells past the end padding never
    /// count), of each position's window: the two divisors of an average.
    var validCount: Int
    var paddedCount: Int
  }

  /// Throws when the sizes of one image overflow (the caller's buffers could not exist).
  init(axes: WindowAxes, channels: Int, site: StepSite) throws(RuntimeError) {
    self.axes = axes
    self.channels = channels
    let row = try CheckedMath.multiply(axes.input[2], channels, "\(site): channels-last input row")
    let plane = try CheckedMath.multiply(axes.input[1], row, "\(site): channels-last input plane")
    inputStrides = [plane, row, channels]
    inputImage = try CheckedMath.multiply(axes.inputPlane, channels, "\(site): channels-last input image")
    outputImage = try CheckedMath.multiply(axes.outputPlane, channels, "\(site): channels-last output image")
    tapListInts = try CheckedMath.multiply(axes.kernelVolume, 4, "\(site): window tap lists")
    var first = 0
    while first < axes.output[2] && Self.validTaps(axes, axis: 2, output: first, low: 0).count < axes.kernel[2] {
      first += 1
    }
    var end = first
    while end < axes.output[2] && Self.validTaps(axes, axis: 2, output: end, low: 0).count == axes.kernel[2] {
      end += 1
    }
    interiorColumns = first..<end
  }

  /// Output rows of `batch` images (every image, depth and height index).
  func rows(batch: Int) -> Int { RunContext.work(batch, axes.output[0], axes.output[1]) }


  /// The taps `k` in `0..<kernel` of output `output` along `axis` that read inside `low ..< input + padsEnd`
  /// shifted: with `low` 0 the input itself, with `low` −padsBegin the padded input.
  static func validTaps(_ axes: WindowAxes, axis: Int, output: Int, low: Int, padded: Bool = false) -> Range<Int> {
    let start = output * axes.strides[axis] - axes.padsBegin[axis]
    let high = axes.input[axis] + (padded ? axes.padsEnd[axis] : 0)
    let dilation = axes.dilations[axis]
    let kernel = axes.kernel[axis]
    let first = start >= low ? 0 : (low - start + dilation - 1) / dilation
    let end = start >= high ? 0 : min(kernel, (high - start + dilation - 1) / dilation)
    return first < end ? first..<end : 0..<0
  }

  private func taps(axis: Int, output: Int) -> (valid: Range<Int>, padded: Int) {
    let valid = Self.validTaps(axes, axis: axis, output: output, low: 0)
    let padded = Self.validTaps(axes, axis: axis, output: output, low: -axes.padsBegin[axis], padded: true)
    return (valid, padded.count)
  }

  /// Calls `body` with every segment of output row `row` (image, depth and height index flattened) and its
  /// taps: float offsets from a window origin and indices in weight order. `lists` holds `tapListInts`
  /// Ints: the row's two lists (kept for all its interior positions), then one border column's.
  func forEachSegment(
    row: Int, lists: UnsafeMutablePointer<Int>, _ body: (Segment, UnsafePointer<Int>, UnsafePointer<Int>) -> Void
  ) {
    let (outD, outH, outW) = (axes.output[0], axes.output[1], axes.output[2])
    let oh = row % outH
    let od = row / outH % outD
    let image = row / (outH * outD)
    let depth = taps(axis: 0, output: od)
    let height = taps(axis: 1, output: oh)
    let rowOrigin =
      image * inputImage + (od * axes.strides[0] - axes.padsBegin[0]) * inputStrides[0]
      + (oh * axes.strides[1] - axes.padsBegin[1]) * inputStrides[1]
    let rowOutput = image * outputImage + (od * outH + oh) * outW * channels
    let columnStep = axes.strides[2] * channels
    let firstColumn = -axes.padsBegin[2] * channels
    let rowValid = depth.valid.count * height.valid.count
    let rowPadded = depth.padded * height.padded
    let volume = axes.kernelVolume
    if !interiorColumns.isEmpty {
      let (offsets, weights) = (lists, lists + volume)
      let count = writeTaps(depth.valid, height.valid, 0..<axes.kernel[2], offsets, weights)
      body(
        Segment(
          inputOffset: rowOrigin + firstColumn + interiorColumns.lowerBound * columnStep,
          outputOffset: rowOutput + interiorColumns.lowerBound * channels, positions: interiorColumns.count,
          tapCount: count, validCount: rowValid * axes.kernel[2], paddedCount: rowPadded * axes.kernel[2]),
        UnsafePointer(offsets), UnsafePointer(weights))
    }
    let (offsets, weights) = (lists + 2 * volume, lists + 3 * volume)
    for ow in 0..<outW where !interiorColumns.contains(ow) {
      let width = taps(axis: 2, output: ow)
      let count = writeTaps(depth.valid, height.valid, width.valid, offsets, weights)
      body(
        Segment(
          inputOffset: rowOrigin + firstColumn + ow * columnStep, outputOffset: rowOutput + ow * channels,
          positions: 1, tapCount: count, validCount: rowValid * width.valid.count,
          paddedCount: rowPadded * width.padded),
        UnsafePointer(offsets), UnsafePointer(weights))
    }
  }

  /// Writes the taps `depth × height × width` in weight order; returns how many.
  private func writeTaps(
    _ depth: Range<Int>, _ height: Range<Int>, _ width: Range<Int>, _ offsets: UnsafeMutablePointer<Int>,
    _ weights: UnsafeMutablePointer<Int>
  ) -> Int {
    var count = 0
    for kd in depth {
      for kh in height {
        for kw in width {
          offsets[count] =
            kd * axes.dilations[0] * inputStrides[0] + kh * axes.dilations[1] * inputStrides[1]
            + kw * axes.dilations[2] * channels
          weights[count] = (kd * axes.kernel[1] + kh) * axes.kernel[2] + kw
          count += 1
        }
      }
    }
    return count
  }
}
