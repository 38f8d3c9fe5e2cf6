import ResIR

/// Where a sliding window (a convolution kernel or a pooling window) lands along each spatial axis: the
/// padding actually used and the output size, computed from the actual input size.
///
/// Every op with a window is evaluated on three spatial axes: 1-D and 2-D inputs get leading axes of size 1
/// with a 1-wide, unpadded window (`threeDimensional()`), so one triple loop serves Conv1d, 2d and 3d alike.
struct WindowGeometry {
  var axes: [SpatialAxis]

  /// Attribute values above this are rejected, which keeps every sum and product below far from overflow.
  static let maximumAttribute = 1 << 30

  /// - Parameters:
  ///   - kernel, strides, dilations: one entry per spatial axis; empty strides or dilations mean all 1.
  ///   - ceilMode: pooling's `ceil_mode` (explicit padding only; SAME padding fixes the output size).
  init(
    inputSize: [Int], kernel: [Int], strides: [Int], dilations: [Int], padding: Padding, ceilMode: Bool
  ) throws(EvaluationFailure) {
    let count = inputSize.count
    let kernel = try Self.perAxis(kernel, "kernel_shape", count, default: nil, minimum: 1)
    let strides = try Self.perAxis(strides, "strides", count, default: 1, minimum: 1)
    let dilations = try Self.perAxis(dilations, "dilations", count, default: 1, minimum: 1)
    axes = []
    for axis in 0..<count {
      axes.append(
        try SpatialAxis(
          axis: axis, of: count, input: inputSize[axis], kernel: kernel[axis], stride: strides[axis],
          dilation: dilations[axis], padding: padding, ceilMode: ceilMode))
    }
  }

  var outputSize: [Int] { axes.map(\.output) }

  /// The depth, height and width axes, with unit axes added in front of 1-D and 2-D windows.
  func threeDimensional() -> (SpatialAxis, SpatialAxis, SpatialAxis) {
    let padded = Array(repeating: SpatialAxis.unit, count: max(0, 3 - axes.count)) + axes
    return (padded[0], padded[1], padded[2])
  }

  /// One entry per axis, each at least `minimum`; an empty list means `default` everywhere.
  private static func perAxis(_ values: [Int], _ name: String, _ count: Int, default fallback: Int?, minimum: Int)
    throws(EvaluationFailure) -> [Int]
  {
    if values.isEmpty, let fallback { return Array(repeating: fallback, count: count) }
    guard values.count == count else {
      throw EvaluationFailure("\(name) has \(values.count) values for \(count) spatial axes")
    }
    guard values.allSatisfy({ (minimum...maximumAttribute).contains($0) }) else {
      throw EvaluationFailure("\(name) \(ShapeArithmetic.describe(values)) must be between \(minimum) and 2^30")
    }
    return values
  }
}

/// One spatial axis of a sliding window. Plain integers, so the kernels' inner loops read them without
/// touching an array.
struct SpatialAxis {
  var input: Int
  var kernel: Int
  var stride: Int
  var dilation: Int
  var padBegin: Int
  var padEnd: Int
  var output: Int

  /// A 1-wide window over a 1-long axis: what 1-D and 2-D windows get in front.
  static let unit = SpatialAxis(input: 1, kernel: 1, stride: 1, dilation: 1, padBegin: 0, padEnd: 0, output: 1)

  private init(input: Int, kernel: Int, stride: Int, dilation: Int, padBegin: Int, padEnd: Int, output: Int) {
    (self.input, self.kernel, self.stride, self.dilation) = (input, kernel, stride, dilation)
    (self.padBegin, self.padEnd, self.output) = (padBegin, padEnd, output)
  }

  /// Computes the padding and output size of spatial axis `axis` (of `count`).
  init(
    axis: Int, of count: Int, input: Int, kernel: Int, stride: Int, dilation: Int, padding: Padding, ceilMode: Bool
  ) throws(EvaluationFailure) {
    self.init(input: input, kernel: kernel, stride: stride, dilation: dilation, padBegin: 0, padEnd: 0, output: 0)
    switch padding {
    case .sameUpper, .sameLower:
      // ONNX: the output is ceil(input / stride); the padding that needs is split evenly, the odd one at the
      // end (SAME_UPPER) or at the beginning (SAME_LOWER).
      output = (input + stride - 1) / stride
      let total = max(0, (output - 1) * stride + extent - input)
      (padBegin, padEnd) = padding == .sameUpper ? (total / 2, total - total / 2) : (total - total / 2, total / 2)
    case .explicit(let pads):
      guard pads.count == 2 * count || pads.isEmpty else {
        throw EvaluationFailure("pads has \(pads.count) values for \(count) spatial axes")
      }
      (padBegin, padEnd) = pads.isEmpty ? (0, 0) : (pads[axis], pads[count + axis])
      guard (0...WindowGeometry.maximumAttribute).contains(padBegin),
        (0...WindowGeometry.maximumAttribute).contains(padEnd)
      else {
        throw EvaluationFailure("pads \(ShapeArithmetic.describe(pads)) must be non-negative and at most 2^30")
      }
      output = try explicitOutput(axis: axis, ceilMode: ceilMode)
    }
  }

  /// The span of input a window covers: `(kernel − 1)·dilation + 1`.
  var extent: Int { (kernel - 1) * dilation + 1 }

  private func explicitOutput(axis: Int, ceilMode: Bool) throws(EvaluationFailure) -> Int {
    let room = input + padBegin + padEnd - extent
    guard room >= 0 else {
      throw EvaluationFailure(
        "the window spans \(extent) along spatial axis \(axis), more than the padded input size "
          + "\(input + padBegin + padEnd)")
    }
    guard ceilMode else { return room / stride + 1 }
    let output = (room + stride - 1) / stride + 1
    // The last window must start inside the input or its leading padding (PyTorch's rule, which ONNX's
    // reference implementation and onnxruntime follow).
    return (output - 1) * stride >= input + padBegin ? output - 1 : output
  }

  /// The input position of window tap `tap` for output `o` (may be in the padding).
  func inputPosition(output o: Int, tap: Int) -> Int {
    o * stride - padBegin + tap * dilation
  }

  /// The taps of output `o`'s window whose input position lies in `positions`, found by arithmetic rather than
  /// by listing every tap (a hostile kernel can be 2^30 wide).
  func taps(output o: Int, landingIn positions: Range<Int>) -> Range<Int> {
    let start = o * stride - padBegin
    let first = max(0, Self.ceilDivide(positions.lowerBound - start, dilation))
    let last = min(kernel - 1, Self.floorDivide(positions.upperBound - 1 - start, dilation))
    return first <= last ? first..<(last + 1) : 0..<0
  }

  /// The outputs whose window tap `tap` falls inside the input (not in the padding): those `o` with
  /// `0 ≤ o·stride − padBegin + tap·dilation < input`.
  func outputsReadingInput(tap: Int) -> Range<Int> {
    let shift = tap * dilation - padBegin
    let first = max(0, Self.ceilDivide(-shift, stride))
    let last = min(output - 1, Self.floorDivide(input - 1 - shift, stride))
    return first <= last ? first..<(last + 1) : 0..<0
  }

  static func floorDivide(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
  }

  static func ceilDivide(_ a: Int, _ b: Int) -> Int {
    -floorDivide(-a, b)
  }
}
