import ResIR

/// Where a sliding window (a convolution kernel or a pooling window) lands along each spatial axis: the
/// padding actually used and the output size, computed from the actual input size.
///
/// Every op with a window is evaluated on three spatial axes: 1-D and 2-D inputs get leading axes of size 1
/// with a 1-wide, unpadded window (`threeDimensional()`), so one triple loop serves Conv1d, 2d and 3d alike.
struct WindowGeometry {
  var inputSize: [Int]
  var kernel: [Int]
  var strides: [Int]
  var dilations: [Int]
  var padBegin: [Int]
  var padEnd: [Int]
  var outputSize: [Int]

  /// Attribute values above this are rejected, which keeps every sum and product below far from overflow.
  static let maximumAttribute = 1 << 30

  /// - Parameters:
  ///   - kernel, strides, dilations: one entry per spatial axis; empty strides or dilations mean all 1.
  ///   - ceilMode: pooling's `ceil_mode` (explicit padding only; SAME padding fixes the output size).
  init(
    inputSize: [Int], kernel: [Int], strides: [Int], dilations: [Int], padding: Padding, ceilMode: Bool
  ) throws(EvaluationFailure) {
    let axes = inputSize.count
    self.inputSize = inputSize
    self.kernel = try Self.perAxis(kernel, "kernel_shape", axes, default: nil, minimum: 1)
    self.strides = try Self.perAxis(strides, "strides", axes, default: 1, minimum: 1)
    self.dilations = try Self.perAxis(dilations, "dilations", axes, default: 1, minimum: 1)
    padBegin = []
    padEnd = []
    outputSize = []
    for axis in 0..<axes {
      let (begin, end, output) = try placement(axis: axis, padding: padding, ceilMode: ceilMode)
      padBegin.append(begin)
      padEnd.append(end)
      outputSize.append(output)
    }
  }

  /// The span of input a window covers: `(kernel − 1)·dilation + 1`.
  func extent(_ axis: Int) -> Int { (kernel[axis] - 1) * dilations[axis] + 1 }

  /// Pads and output size along one axis.
  private func placement(axis: Int, padding: Padding, ceilMode: Bool) throws(EvaluationFailure)
    -> (begin: Int, end: Int, output: Int)
  {
    let input = inputSize[axis]
    let stride = strides[axis]
    switch padding {
    case .sameUpper, .sameLower:
      // ONNX: the output is ceil(input / stride); the padding that needs is split evenly, the odd one at the
      // end (SAME_UPPER) or at the beginning (SAME_LOWER).
      let output = (input + stride - 1) / stride
      let total = max(0, (output - 1) * stride + extent(axis) - input)
      let small = total / 2
      return padding == .sameUpper ? (small, total - small, output) : (total - small, small, output)
    case .explicit(let pads):
      guard pads.count == 2 * inputSize.count || pads.isEmpty else {
        throw EvaluationFailure("pads has \(pads.count) values for \(inputSize.count) spatial axes")
      }
      let begin = pads.isEmpty ? 0 : pads[axis]
      let end = pads.isEmpty ? 0 : pads[inputSize.count + axis]
      guard (0...Self.maximumAttribute).contains(begin), (0...Self.maximumAttribute).contains(end) else {
        throw EvaluationFailure("pads \(ShapeArithmetic.describe(pads)) must be non-negative and at most 2^30")
      }
      let room = input + begin + end - extent(axis)
      guard room >= 0 else {
        throw EvaluationFailure(
          "the window spans \(extent(axis)) along spatial axis \(axis), more than the padded input size "
            + "\(input + begin + end)")
      }
      guard ceilMode else { return (begin, end, room / stride + 1) }
      var output = (room + stride - 1) / stride + 1
      // The last window must start inside the input or its leading padding (PyTorch's rule, which ONNX's
      // reference implementation and onnxruntime follow).
      if (output - 1) * stride >= input + begin { output -= 1 }
      return (begin, end, output)
    }
  }

  /// One entry per axis, each at least `minimum`; an empty list means `default` everywhere.
  private static func perAxis(_ values: [Int], _ name: String, _ axes: Int, default fallback: Int?, minimum: Int)
    throws(EvaluationFailure) -> [Int]
  {
    if values.isEmpty, let fallback { return Array(repeating: fallback, count: axes) }
    guard values.count == axes else {
      throw EvaluationFailure("\(name) has \(values.count) values for \(axes) spatial axes")
    }
    guard values.allSatisfy({ (minimum...maximumAttribute).contains($0) }) else {
      throw EvaluationFailure("\(name) \(ShapeArithmetic.describe(values)) must be between \(minimum) and 2^30")
    }
    return values
  }

  /// The same geometry with leading unit axes added until there are three spatial axes.
  func threeDimensional() -> WindowGeometry {
    let missing = max(0, 3 - inputSize.count)
    let ones = [Int](repeating: 1, count: missing)
    let zeros = [Int](repeating: 0, count: missing)
    var result = self
    result.inputSize = ones + inputSize
    result.kernel = ones + kernel
    result.strides = ones + strides
    result.dilations = ones + dilations
    result.padBegin = zeros + padBegin
    result.padEnd = zeros + padEnd
    result.outputSize = ones + outputSize
    return result
  }

  /// The outputs along `axis` whose window tap number `tap` falls inside the input (not in the padding):
  /// those `o` with `0 ≤ o·stride − padBegin + tap·dilation < inputSize`.
  func outputsReadingInput(axis: Int, tap: Int) -> Range<Int> {
    let shift = tap * dilations[axis] - padBegin[axis]
    let first = max(0, Self.ceilDivide(-shift, strides[axis]))
    let last = min(outputSize[axis] - 1, Self.floorDivide(inputSize[axis] - 1 - shift, strides[axis]))
    return first <= last ? first..<(last + 1) : 0..<0
  }

  /// The input position of window tap `tap` for output `o` along `axis` (may be in the padding).
  func inputPosition(axis: Int, output o: Int, tap: Int) -> Int {
    o * strides[axis] - padBegin[axis] + tap * dilations[axis]
  }

  static func floorDivide(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
  }

  static func ceilDivide(_ a: Int, _ b: Int) -> Int {
    -floorDivide(-a, b)
  }
}
