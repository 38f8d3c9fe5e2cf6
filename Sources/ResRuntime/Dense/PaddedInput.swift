import ResKernels
import ResPlan

/// A window operation's input planes as its kernels read them: copied with the padding written out (zeros
/// for a convolution, −∞ for a max pool), so every tap of every window is a plain read with no bounds test.
/// Also the offsets those reads use.
struct PaddedInput: Sendable {
  let axes: WindowAxes
  /// Spatial sizes of a padded plane (`[D, H, W]`): the input with its pads, or more when a ceil-mode
  /// window reaches past the end padding.
  let shape: [Int]
  let plane: Int
  /// Whether the operation pads at all; when it does not, a kernel may read the input where it lies.
  let isPadded: Bool
  /// The value of every cell outside the input.
  let border: Float

  init(_ axes: WindowAxes, border: Float = 0, site: StepSite) throws(RuntimeError) {
    self.axes = axes
    self.border = border
    var shape: [Int] = []
    for axis in 0..<3 {
      let begin = try CheckedMath.add(axes.input[axis], axes.padsBegin[axis], "\(site): padded input size")
      let padded = try CheckedMath.add(begin, axes.padsEnd[axis], "\(site): padded input size")
      let lastStart = try CheckedMath.multiply(axes.output[axis] - 1, axes.strides[axis], "\(site): window start")
      let window = try CheckedMath.multiply(axes.kernel[axis] - 1, axes.dilations[axis], "\(site): window size")
      let reach = try CheckedMath.add(lastStart, window + 1, "\(site): window reach")
      shape.append(max(padded, reach))
    }
    self.shape = shape
    plane = try CheckedMath.product(shape, "\(site): padded input plane")
    isPadded = shape != axes.input
  }

  /// Whether the padded planes stay within a few times the input and output planes. Only a plan with
  /// absurd padding and strides fails this; its operator then takes a path whose work is bounded by the
  /// input and output instead of allocating planes of mostly padding.
  var isCompact: Bool {
    PaddedPlanes.isCompact(plane: plane, inputPlane: axes.inputPlane, outputPlane: axes.outputPlane)
  }

  /// Offsets from a window's origin of its taps, in weight order (kd, kh, kw).
  func tapOffsets() -> [Int] {
    var offsets: [Int] = []
    for kd in 0..<axes.kernel[0] {
      for kh in 0..<axes.kernel[1] {
        for kw in 0..<axes.kernel[2] {
          let d = kd * axes.dilations[0]
          let h = kh * axes.dilations[1]
          let w = kw * axes.dilations[2]
          offsets.append((d * shape[1] + h) * shape[2] + w)
        }
      }
    }
    return offsets
  }

  /// The window origin of output position (`d`, `h`, `w`) in a padded plane.
  @inline(__always)
  func windowOrigin(d: Int, h: Int, w: Int) -> Int {
    (d * axes.strides[0] * shape[1] + h * axes.strides[1]) * shape[2] + w * axes.strides[2]
  }

  /// Writes one input plane into `padded` (`plane` floats) with the border around it.
  func copyPlane(_ source: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
    let (inD, inH, inW) = (axes.input[0], axes.input[1], axes.input[2])
    let (readD, readH, readW) = (shape[0], shape[1], shape[2])
    let left = axes.padsBegin[2]
    for d in 0..<readD {
      for h in 0..<readH {
        let row = padded + (d * readH + h) * readW
        let (id, ih) = (d - axes.padsBegin[0], h - axes.padsBegin[1])
        guard id >= 0, id < inD, ih >= 0, ih < inH else {
          VectorAccess.fill(row, floats: readW, with: border)
          continue
        }
        // Rows of small planes (a depthwise layer's 7x7) are short: a `memset` or `memmove` call per piece
        // would cost more than convolving the row.
        VectorAccess.fill(row, floats: left, with: border)
        VectorAccess.copy(source + (id * inH + ih) * inW, to: row + left, floats: inW)
        VectorAccess.fill(row + left + inW, floats: readW - left - inW, with: border)
      }
    }
  }
}
