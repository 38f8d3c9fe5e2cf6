import ResIR

/// ONNX Conv (1-D, 2-D and 3-D, groups, strides, dilations, explicit or SAME padding) with its epilogue.
///
/// The loop order puts the output row innermost: for each (output channel, input channel, kernel tap) the
/// weight is a scalar and the row is a strided walk over contiguous input, which keeps a debug build fast
/// enough for a CIFAR ResNet and a release build for ResNet-50.
enum Convolution {
  static func evaluate(_ operands: NodeOperands, _ attributes: ConvAttributes) throws(EvaluationFailure)
    -> ReferenceTensor
  {
    let x = try operands.required(0, "X")
    let w = try operands.required(1, "W")
    let input = try x.floatValues("X")
    let weights = try w.floatValues("W")
    try w.requireDType("W", x.dtype)
    try x.requireRank("X", 3...5)
    guard w.rank == x.rank else {
      throw EvaluationFailure(
        "W has shape \(ShapeArithmetic.describe(w.shape)), but X of rank \(x.rank) needs a weight of rank \(x.rank)")
    }
    let layout = try ChannelLayout(x: x.shape, w: w.shape, group: attributes.group)
    let kernel = attributes.kernelShape.isEmpty ? Array(w.shape.dropFirst(2)) : attributes.kernelShape
    guard kernel == Array(w.shape.dropFirst(2)) else {
      throw EvaluationFailure(
        "kernel_shape \(ShapeArithmetic.describe(kernel)) does not match W's shape \(ShapeArithmetic.describe(w.shape))")
    }
    let geometry = try WindowGeometry(
      inputSize: Array(x.shape.dropFirst(2)), kernel: kernel, strides: attributes.strides,
      dilations: attributes.dilations, padding: attributes.padding, ceilMode: false)
    let outputShape = [layout.batch, layout.outputChannels] + geometry.outputSize
    var output = [Double](repeating: 0, count: try ShapeArithmetic.elementCount(outputShape))
    accumulate(input, weights, into: &output, layout, geometry.threeDimensional())
    if let bias = operands.optional(2) {
      try bias.requireDType("B", x.dtype)
      try addChannelBias(bias, to: &output, layout, planeSize: outputShape.dropFirst(2).reduce(1, *))
    }
    try EpilogueEvaluation.finish(
      &output, shape: outputShape, epilogue: attributes.epilogue, residual: operands.optional(Op.residualSlot),
      dtype: x.dtype)
    return ReferenceTensor(dtype: x.dtype, shape: outputShape, doubles: output)
  }

  /// Batch and channel counts, checked against `group`.
  struct ChannelLayout {
    var batch: Int
    var inputChannels: Int
    var outputChannels: Int
    var group: Int
    var inputChannelsPerGroup: Int { inputChannels / group }
    var outputChannelsPerGroup: Int { outputChannels / group }

    init(x: [Int], w: [Int], group: Int) throws(EvaluationFailure) {
      guard group >= 1 else { throw EvaluationFailure("group must be at least 1, not \(group)") }
      batch = x[0]
      inputChannels = x[1]
      outputChannels = w[0]
      self.group = group
      guard inputChannels % group == 0, outputChannels % group == 0, w[1] * group == inputChannels else {
        throw EvaluationFailure(
          "X has \(inputChannels) channels and W has shape \(ShapeArithmetic.describe(w)), which do not fit "
            + "group \(group) (W's second dimension must be channels / group, and both channel counts divisible "
            + "by group)")
      }
    }
  }

  /// `output += Σ W·X` over every input channel of the group and every kernel tap, on three spatial axes.
  private static func accumulate(
    _ input: [Double], _ weights: [Double], into output: inout [Double], _ layout: ChannelLayout,
    _ g: WindowGeometry
  ) {
    let inputPlane = g.inputSize.reduce(1, *)
    let outputPlane = g.outputSize.reduce(1, *)
    let kernelVolume = g.kernel.reduce(1, *)
    input.withUnsafeBufferPointer { x in
      weights.withUnsafeBufferPointer { w in
        output.withUnsafeMutableBufferPointer { y in
          for n in 0..<layout.batch {
            for m in 0..<layout.outputChannels {
              let group = m / layout.outputChannelsPerGroup
              let outputBase = (n * layout.outputChannels + m) * outputPlane
              for cg in 0..<layout.inputChannelsPerGroup {
                let c = group * layout.inputChannelsPerGroup + cg
                let inputBase = (n * layout.inputChannels + c) * inputPlane
                let weightBase = (m * layout.inputChannelsPerGroup + cg) * kernelVolume
                for tap in 0..<kernelVolume {
                  let kd = tap / (g.kernel[1] * g.kernel[2])
                  let kh = (tap / g.kernel[2]) % g.kernel[1]
                  let kw = tap % g.kernel[2]
                  addTap(
                    weight: w[weightBase + tap], taps: (kd, kh, kw), x: x, inputBase: inputBase, y: y,
                    outputBase: outputBase, g)
                }
              }
            }
          }
        }
      }
    }
  }

  /// Adds one kernel tap's contribution (`weight` times the input it sees) to every output it reaches.
  private static func addTap(
    weight: Double, taps: (Int, Int, Int), x: UnsafeBufferPointer<Double>, inputBase: Int,
    y: UnsafeMutableBufferPointer<Double>, outputBase: Int, _ g: WindowGeometry
  ) {
    let columns = g.outputsReadingInput(axis: 2, tap: taps.2)
    guard !columns.isEmpty else { return }
    let stride = g.strides[2]
    for od in g.outputsReadingInput(axis: 0, tap: taps.0) {
      let id = g.inputPosition(axis: 0, output: od, tap: taps.0)
      for oh in g.outputsReadingInput(axis: 1, tap: taps.1) {
        let ih = g.inputPosition(axis: 1, output: oh, tap: taps.1)
        let outputRow = outputBase + (od * g.outputSize[1] + oh) * g.outputSize[2]
        let inputRow = inputBase + (id * g.inputSize[1] + ih) * g.inputSize[2]
        // Input column of output column `ow` is `ow·stride + columnShift`.
        let columnShift = g.inputPosition(axis: 2, output: 0, tap: taps.2)
        for ow in columns {
          y[outputRow + ow] += weight * x[inputRow + ow * stride + columnShift]
        }
      }
    }
  }

  /// Adds `B[m]` to every element of output channel `m`.
  private static func addChannelBias(
    _ bias: ReferenceTensor, to output: inout [Double], _ layout: ChannelLayout, planeSize: Int
  ) throws(EvaluationFailure) {
    let values = try bias.floatValues("B")
    try bias.requireShape("B", [layout.outputChannels])
    for n in 0..<layout.batch {
      for m in 0..<layout.outputChannels {
        let base = (n * layout.outputChannels + m) * planeSize
        for i in base..<(base + planeSize) { output[i] += values[m] }
      }
    }
  }
}
