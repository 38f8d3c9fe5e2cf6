import ResIR

/// Normalizations by the statistics of their own input, written out as the ops that define them:
/// `c = X − mean(X)`, `Y = c / √(mean(c·c) + ε) · scale + B` (population variance), scale and B unsqueezed to
/// `[C, 1, …]`.
///
/// - BatchNormalization with `training_mode=1` takes the statistics over every axis but the channels.
///   NF-ResNets and NFNets standardize their convolution weights this way (`F.batch_norm(w, None, None,
///   training=True)` on the weight), so X is a constant and the whole chain folds when compiling. The running
///   statistics outputs are not produced: `convertBatchNormalization` refuses a node whose statistics something
///   reads.
/// - InstanceNormalization takes them over the spatial axes of each image and channel; PyTorch exports
///   GroupNorm (BiT's ResNetV2) as one on `[N, groups, rest]`.
extension GraphBuilder {
  mutating func convertBatchNormalizationWithBatchStatistics(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try normalizedByOwnStatistics(node) { rank in [0] + Array(2..<rank) }
  }

  mutating func convertInstanceNormalization(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try normalizedByOwnStatistics(node) { rank in Array(2..<rank) }
  }

  private mutating func normalizedByOwnStatistics(_ node: ONNXNode, axes: (Int) -> [Int]) throws(ModelError)
    -> Conversion
  {
    let x = try node.requiredOperand(0, "X")
    let rank = rank(of: x)
    guard rank >= 3 || (rank == 2 && node.opType == "BatchNormalization") else {
      throw node.error("X has rank \(rank), expected at least \(node.opType == "BatchNormalization" ? 2 : 3)")
    }
    let dtype = graph.type(of: x).dtype
    guard dtype.isFloatingPoint else { throw node.error("X is \(dtype.onnxName) but must be a float type") }
    let epsilon = Double(try node.attributes.float("epsilon", default: 1e-5))
    let statisticAxes = axes(rank)
    func append(_ op: Op, _ inputs: [ValueID?], _ suffix: String) throws(ModelError) -> ValueID {
      try appendTyped(Conversion(op, inputs), named: "\(node.name).\(suffix)")
    }
    let mean = try append(.reduceMean(axes: statisticAxes, keepDims: true), [x], "mean")
    let centered = try append(.binary(.sub), [x, mean], "centered")
    let squares = try append(.binary(.mul), [centered, centered], "squares")
    let variance = try append(.reduceMean(axes: statisticAxes, keepDims: true), [squares], "variance")
    let epsilonConstant = Constant(dtype: dtype, dims: [], doubles: [epsilon])
    let epsilonValue = addGeneratedConstant("\(node.name).epsilon", epsilonConstant)
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
