import ResIR

/// ONNX MaxPool and AveragePool (1-D, 2-D, 3-D; strides, dilations, explicit or SAME padding, ceil_mode),
/// and GlobalAveragePool.
///
/// Padding never contributes a value: MaxPool takes the largest input element in the window (NaN
/// propagates), AveragePool sums the input elements in the window and divides by their number, or, with
/// `count_include_pad`, by the number of window taps inside the padded input (taps beyond the end padding,
/// which only ceil_mode creates, never count). These are onnxruntime's and PyTorch's rules, which ONNX's
/// reference implementation also gives. A window that sees no input element at all (pads wider than the
/// kernel) gives −∞ for MaxPool (the lowest value for 8-bit integers, as onnxruntime) and NaN for AveragePool
/// without `count_include_pad`.
enum Pooling {
  enum Kind {
    case max
    case average(countIncludePad: Bool)
  }

  static func evaluate(_ operands: NodeOperands, _ attributes: PoolAttributes, _ kind: Kind)
    throws(EvaluationFailure) -> ReferenceTensor
  {
    let x = try operands.required(0, "X")
    try x.requireRank("X", 3...5)
    try requireSupportedType(x, kind)
    let geometry = try WindowGeometry(
      inputSize: Array(x.shape.dropFirst(2)), kernel: attributes.kernelShape, strides: attributes.strides,
      dilations: attributes.dilations, padding: attributes.padding, ceilMode: attributes.ceilMode)
    let outputShape = Array(x.shape.prefix(2)) + geometry.outputSize
    var output = [Double](repeating: 0, count: try ShapeArithmetic.elementCount(outputShape))
    let input = x.doubles
    let (depth, height, width) = geometry.threeDimensional()
    let reach = [depth, height, width].map(WindowReach.table)
    let planes = x.shape[0] * x.shape[1]
    let inputPlane = depth.input * height.input * width.input
    var position = 0
    for plane in 0..<planes {
      for depthReach in reach[0] {
        for rowReach in reach[1] {
          for columnReach in reach[2] {
            output[position] = pool(
              input, base: plane * inputPlane, depthReach, rowReach, columnReach, height.input, width.input, kind)
            position += 1
          }
        }
      }
    }
    return ReferenceTensor(dtype: x.dtype, shape: outputShape, doubles: output)
  }

  /// MaxPool takes floats and the 8-bit integers (exact in `Double`); AveragePool floats only.
  private static func requireSupportedType(_ x: ReferenceTensor, _ kind: Kind) throws(EvaluationFailure) {
    switch kind {
    case .max:
      guard x.dtype.isFloatingPoint || x.dtype == .int8 || x.dtype == .uint8 else {
        throw EvaluationFailure("X must be a float or 8-bit integer tensor, not \(x.dtype.rawValue)")
      }
    case .average:
      _ = try x.floatValues("X")
    }
  }

  /// What the window of one output position covers along one axis.
  struct WindowReach {
    /// The input positions of the taps that fall inside the input.
    var inputPositions: [Int]
    /// How many taps fall inside the padded input (count_include_pad's divisor along this axis).
    var paddedCount: Int

    /// The reach of every output position along `axis`.
    static func table(_ axis: SpatialAxis) -> [WindowReach] {
      (0..<axis.output).map { o in
        WindowReach(
          inputPositions: axis.taps(output: o, landingIn: 0..<axis.input).map {
            axis.inputPosition(output: o, tap: $0)
          },
          paddedCount: axis.taps(output: o, landingIn: -axis.padBegin..<(axis.input + axis.padEnd)).count)
      }
    }
  }

  /// The pooled value of one window in one plane, from its reach along depth, height and width.
  private static func pool(
    _ input: [Double], base: Int, _ d: WindowReach, _ h: WindowReach, _ w: WindowReach, _ height: Int,
    _ width: Int, _ kind: Kind
  ) -> Double {
    var maximum = -Double.infinity
    var sum = 0.0
    for id in d.inputPositions {
      for ih in h.inputPositions {
        let row = base + (id * height + ih) * width
        for iw in w.inputPositions {
          let value = input[row + iw]
          if value > maximum || (value.isNaN && !maximum.isNaN) { maximum = value }
          sum += value
        }
      }
    }
    switch kind {
    case .max:
      return maximum
    case .average(let countIncludePad):
      let count =
        countIncludePad
        ? d.paddedCount * h.paddedCount * w.paddedCount
        : d.inputPositions.count * h.inputPositions.count * w.inputPositions.count
      return sum / Double(count)
    }
  }

  /// ONNX GlobalAveragePool: the mean of each (batch, channel) plane, keeping unit spatial axes.
  static func globalAverage(_ operands: NodeOperands) throws(EvaluationFailure) -> ReferenceTensor {
    let x = try operands.required(0, "X")
    let input = try x.floatValues("X")
    try x.requireRank("X", 2...Int.max)
    let planes = x.shape[0] * x.shape[1]
    let plane = x.shape.dropFirst(2).reduce(1, *)
    let means = (0..<planes).map { p in
      input[(p * plane)..<((p + 1) * plane)].reduce(0, +) / Double(plane)
    }
    let shape = Array(x.shape.prefix(2)) + Array(repeating: 1, count: x.rank - 2)
    return ReferenceTensor(dtype: x.dtype, shape: shape, doubles: means)
  }
}
