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
    let normalized = try standardized(x, axes: axes(rank), node)
    let channelAxes = Array(1..<(rank - 1))
    let scale = try channelVector(try node.requiredOperand(1, "scale"), channelAxes, "\(node.name).scale_channels")
    let bias = try channelVector(try node.requiredOperand(2, "B"), channelAxes, "\(node.name).bias_channels")
    let scaled = try step(.binary(.mul), [normalized, scale], "scaled", of: node)
    return Conversion(.binary(.add), [scaled, bias])
  }

  /// GroupNormalization: each image's channels in `num_groups` groups, normalized by the group's own mean
  /// and variance over its channels and positions (X viewed as `[N, G, rest]`), then scaled and shifted per
  /// channel (opset 21) or per group (opset 18, whose scale and bias have one value per group).
  mutating func convertGroupNormalization(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try node.requiredOperand(0, "X")
    let type = graph.type(of: x)
    guard type.rank >= 3 else { throw node.error("X has rank \(type.rank), expected at least 3") }
    guard type.dtype.isFloatingPoint else { throw node.error("X is \(type.dtype.onnxName) but must be a float type") }
    let groups = try node.attributes.requiredInt("num_groups")
    guard groups >= 1 else { throw node.error("num_groups \(groups) must be at least 1") }
    if let channels = type.shape[1].value, channels % groups != 0 {
      throw node.error("\(channels) channels do not divide into \(groups) groups")
    }
    let groupShape = addIntegers([0, groups, -1], named: "\(node.name)_groups")
    let grouped = try step(.reshape(allowZero: false), [x, groupShape], "grouped", of: node)
    var normalized = try standardized(grouped, axes: [2], node)
    let scale = try node.requiredOperand(1, "scale")
    let bias = try node.requiredOperand(2, "bias")
    let perGroup = node.opset < 21
    if perGroup {
      let groupScale = try channelVector(scale, [1], "\(node.name).scale_groups")
      normalized = try step(.binary(.mul), [normalized, groupScale], "scaled", of: node)
      let groupBias = try channelVector(bias, [1], "\(node.name).bias_groups")
      normalized = try step(.binary(.add), [normalized, groupBias], "shifted", of: node)
    }
    let shape = try step(.shape(start: 0, end: nil), [x], "shape", of: node)
    guard !perGroup else { return Conversion(.reshape(allowZero: false), [normalized, shape]) }
    let restored = try step(.reshape(allowZero: false), [normalized, shape], "restored", of: node)
    let channelAxes = Array(1..<(type.rank - 1))
    let channelScale = try channelVector(scale, channelAxes, "\(node.name).scale_channels")
    let scaled = try step(.binary(.mul), [restored, channelScale], "scaled", of: node)
    return Conversion(.binary(.add), [scaled, try channelVector(bias, channelAxes, "\(node.name).bias_channels")])
  }

  /// MeanVarianceNormalization: `(x − E[x]) / (√(E[x²] − E[x]²) + 1e-9)` over `axes` (default N, H, W), as
  /// ONNX's function body computes it.
  mutating func convertMeanVarianceNormalization(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try node.requiredOperand(0, "X")
    let type = graph.type(of: x)
    guard type.dtype.isFloatingPoint else {
      throw node.error("X is \(type.dtype.onnxName) but must be a float type")
    }
    let axes = try normalizedAxes(try node.attributes.ints("axes") ?? [0, 2, 3], rank: type.rank, of: node)
    let mean = try step(.reduceMean(axes: axes, keepDims: true), [x], "mean", of: node)
    let squares = try step(.binary(.mul), [x, x], "squares", of: node)
    let meanOfSquares = try step(.reduceMean(axes: axes, keepDims: true), [squares], "mean_of_squares", of: node)
    let squaredMean = try step(.binary(.mul), [mean, mean], "squared_mean", of: node)
    let variance = try step(.binary(.sub), [meanOfSquares, squaredMean], "variance", of: node)
    let deviation = try step(.unary(.sqrt), [variance], "deviation", of: node)
    let guardValue = addScalar(1e-9, dtype: type.dtype, named: "\(node.name)_epsilon")
    let divisor = try step(.binary(.add), [deviation, guardValue], "divisor", of: node)
    let centered = try step(.binary(.sub), [x, mean], "centered", of: node)
    return Conversion(.binary(.div), [centered, divisor])
  }

  /// `(x − mean) / √(variance + epsilon)` with the statistics over `axes` (kept as size 1).
  private mutating func standardized(_ x: ValueID, axes: [Int], _ node: ONNXNode) throws(ModelError) -> ValueID {
    let epsilon = Double(try node.attributes.float("epsilon", default: 1e-5))
    let mean = try step(.reduceMean(axes: axes, keepDims: true), [x], "mean", of: node)
    let centered = try step(.binary(.sub), [x, mean], "centered", of: node)
    let squares = try step(.binary(.mul), [centered, centered], "squares", of: node)
    let variance = try step(.reduceMean(axes: axes, keepDims: true), [squares], "variance", of: node)
    let epsilonConstant = Constant(dtype: graph.type(of: x).dtype, dims: [], doubles: [epsilon])
    let epsilonValue = addGeneratedConstant("\(node.name).epsilon", epsilonConstant)
    let shifted = try step(.binary(.add), [variance, epsilonValue], "shifted_variance", of: node)
    let deviation = try step(.unary(.sqrt), [shifted], "deviation", of: node)
    return try step(.binary(.div), [centered, deviation], "normalized", of: node)
  }

  /// A `[C]` operand as `[C, 1, …]`, so it broadcasts along the channel axis of an NC… tensor.
  private mutating func channelVector(_ value: ValueID, _ axes: [Int], _ name: String) throws(ModelError) -> ValueID {
    guard !axes.isEmpty else { return value }
    return try appendTyped(Conversion(.unsqueeze(axes: axes), [value]), named: name)
  }
}
