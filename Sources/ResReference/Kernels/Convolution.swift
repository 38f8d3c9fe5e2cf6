import ResIR

/// ONNX Conv (1-D, 2-D and 3-D, groups, strides, dilations, explicit or SAME padding) with its epilogue:
/// `Y[n, m] = Σ_c Σ_taps W[m, c, taps]·X[n, g·C/g + c, o·stride − padBegin + taps·dilation] + B[m]`, padding
/// reading as 0, evaluated as one matrix product per batch entry and group (see `accumulate`). A prologue first
/// replaces X by `act(X[n, c, ...]·scale[c] + shift[c])`, and the padding pads that transformed input.
enum Convolution {
  static func evaluate(_ operands: NodeOperands, _ attributes: ConvAttributes) throws(EvaluationFailure)
    -> ReferenceTensor
  {
    let x = try operands.required(0, "X")
    let w = try operands.required(1, "W")
    let weights = try w.floatValues("W")
    try w.requireDType("W", x.dtype)
    try x.requireRank("X", 3...5)
    var input = try x.floatValues("X")
    if let prologue = attributes.prologue {
      try applyPrologue(prologue, operands, to: &input, x)
    }
    guard w.rank == x.rank else {
      throw EvaluationFailure(
        "W has shape \(ShapeArithmetic.describe(w.shape)), but X of rank \(x.rank) needs a weight of rank \(x.rank)")
    }
    let layout = try ChannelLayout(x: x.shape, w: w.shape, group: attributes.group)
    let kernel = attributes.kernelShape.isEmpty ? Array(w.shape.dropFirst(2)) : attributes.kernelShape
    guard kernel == Array(w.shape.dropFirst(2)) else {
      throw EvaluationFailure(
        "kernel_shape \(ShapeArithmetic.describe(kernel)) does not match W's shape \(ShapeArithmetic.describe(w.shape))"
      )
    }
    let geometry = try WindowGeometry(
      inputSize: Array(x.shape.dropFirst(2)), kernel: kernel, strides: attributes.strides,
      dilations: attributes.dilations, padding: attributes.padding, ceilMode: false)
    let outputShape = [layout.batch, layout.outputChannels] + geometry.outputSize
    var output = [Double](repeating: 0, count: try ShapeArithmetic.elementCount(outputShape))
    // The patch matrix of one group (see `accumulate`) must be buildable too.
    _ = try ShapeArithmetic.elementCount([w.elementCount / max(layout.outputChannels, 1)] + geometry.outputSize)
    accumulate(input, weights, into: &output, layout, geometry)
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
      guard inputChannels % group == 0, outputChannels % group == 0, inputChannels / group == w[1] else {
        throw EvaluationFailure(
          "X has \(inputChannels) channels and W has shape \(ShapeArithmetic.describe(w)), which do not fit "
            + "group \(group) (W's second dimension must be channels / group, and both channel counts divisible "
            + "by group)")
      }
    }
  }

  /// `output += Σ W·X` over every input channel of the group and every kernel tap.
  ///
  /// Written as a matrix product, per batch entry and group: the group's weights `[M/g, C/g·K]` times the
  /// patch matrix `[C/g·K, P]` whose column `p` holds the inputs output position `p` sees (0 in the padding).
  /// The product's inner loop then runs over all P output positions, which keeps a debug build fast.
  private static func accumulate(
    _ input: [Double], _ weights: [Double], into output: inout [Double], _ layout: ChannelLayout,
    _ geometry: WindowGeometry
  ) {
    let (depth, height, width) = geometry.threeDimensional()
    let inputPlane = depth.input * height.input * width.input
    let outputPlane = depth.output * height.output * width.output
    let patchRows = layout.inputChannelsPerGroup * depth.kernel * height.kernel * width.kernel
    for n in 0..<layout.batch {
      for group in 0..<layout.group {
        let firstChannel = n * layout.inputChannels + group * layout.inputChannelsPerGroup
        let patches = PatchMatrix.build(
          input, planes: firstChannel..<(firstChannel + layout.inputChannelsPerGroup), planeSize: inputPlane,
          depth, height, width)
        let firstOutput = group * layout.outputChannelsPerGroup
        MatrixProduct.accumulate(
          weights, (row: patchRows, column: 1), patches, (row: outputPlane, column: 1), into: &output,
          outputOffset: (n * layout.outputChannels + firstOutput) * outputPlane, m: layout.outputChannelsPerGroup,
          k: patchRows, n: outputPlane, aOffset: firstOutput * patchRows)
      }
    }
  }

  /// `x ← act(x·scale[c] + shift[c])` for every element of channel `c`, rounded once to X's dtype: what a
  /// separate ScaleShift step would have written, so the fused and unfused graphs agree exactly up to here.
  private static func applyPrologue(
    _ prologue: ConvPrologue, _ operands: NodeOperands, to input: inout [Double], _ x: ReferenceTensor
  ) throws(EvaluationFailure) {
    let channels = x.shape[1]
    var parameters: [[Double]] = []
    for (slot, role) in [(Op.inputScaleSlot, "the input scale"), (Op.inputShiftSlot, "the input shift")] {
      let tensor = try operands.required(slot, role)
      try tensor.requireDType(role, x.dtype)
      try tensor.requireShape(role, [channels])
      parameters.append(try tensor.floatValues(role))
    }
    let (scale, shift) = (parameters[0], parameters[1])
    // The product only overflows when another axis is 0, and then there is nothing to compute.
    let plane = ShapeArithmetic.product(x.shape[2...]) ?? 0
    for i in input.indices {
      let c = (i / plane) % channels
      var value = input[i] * scale[c] + shift[c]
      if let activation = prologue.activation { value = activation.apply(value) }
      input[i] = ElementConversion.rounded(value, to: x.dtype)
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
