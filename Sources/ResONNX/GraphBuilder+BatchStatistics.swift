import ResIR

/// BatchNormalization with `training_mode=1`, whose Y uses the statistics of its own input: NF-ResNets and
/// NFNets standardize their convolution weights this way (`F.batch_norm(w, None, None, training=True)` on the
/// weight), so X is a constant and the whole chain folds when compiling.
///
/// Y is decomposed into the ops that define it (ONNX: the mean and the population variance over every axis but
/// the channels): `c = X − mean(X)`, `Y = c / √(mean(c·c) + ε) · scale + B`, scale and B unsqueezed to
/// `[C, 1, …]`. The running statistics outputs are not produced: `convertBatchNormalization` refuses a node
/// whose statistics something reads.
extension GraphBuilder {
  mutating func convertBatchNormalizationWithBatchStatistics(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try node.requiredOperand(0, "X")
    let rank = rank(of: x)
    guard rank >= 2 else { throw node.error("X has rank \(rank), expected at least 2 (batch and channels)") }
    let dtype = graph.type(of: x).dtype
    guard dtype.isFloatingPoint else { throw node.error("X is \(dtype.onnxName) but must be a float type") }
    let epsilon = Double(try node.attributes.float("epsilon", default: 1e-5))
    let statisticAxes = [0] + Array(2..<rank)
    func append(_ op: Op, _ inputs: [ValueID?], _ suffix: String) throws(ModelError) -> ValueID {
      try appendTyped(Conversion(op, inputs), named: "\(node.name).\(suffix)")
    }
    let mean = try append(.reduceMean(axes: statisticAxes, keepDims: true), [x], "mean")
    let centered = try append(.binary(.sub), [x, mean], "centered")
    let squares = try append(.binary(.mul), [centered, centered], "squares")
    let variance = try append(.reduceMean(axes: statisticAxes, keepDims: true), [squares], "variance")
    let epsilonValue = addGeneratedConstant("\(node.name).epsilon", Constant(dtype: dtype, dims: [], doubles: [epsilon]))
    let shifted = try append(.binary(.add), [variance, epsilonValue], "shifted_variance")
    let deviation = try append(.unary(.sqrt), [shifted], "deviation")
    let normalized = try append(.binary(.div), [centered, deviation], "normalized")
    let channelAxes = Array(1..<(rank - 1))
    let scale = try channelVector(try node.requiredOperand(1, "scale"), channelAxes, "\(node.name).scale_channels")
    let bias = try channelVector(try node.requiredOperand(2, "B"), channelAxes, "\(node.name).bias_channels")
    let scaled = try append(.binary(.mul), [normalized, scale], "scaled")
    return Conversion(.binary(.add), [scaled, bias])
  }

  /// A `[C]` operand as `[C, 1, …]`, so it broadcasts along the channel axis of an NC… tensor.
  private mutating func channelVector(_ value: ValueID, _ axes: [Int], _ name: String) throws(ModelError) -> ValueID {
    guard !axes.isEmpty else { return value }
    return try appendTyped(Conversion(.unsqueeze(axes: axes), [value]), named: name)
  }
}
