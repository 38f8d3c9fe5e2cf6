import ResIR

/// Normalizations, reductions and Dropout: the ops whose older forms differ in training flags and axes.
extension GraphBuilder {
  /// Only the inference form exists in the IR. Training is recognized by `training_mode=1` (opset 14+),
  /// `is_test=0` (opsets 1 to 6; exporters set it to 1, and an absent flag is read as inference, as ONNX's
  /// version converter does) or by a running/saved statistics output that something reads. Opsets 7 and 8
  /// have `spatial`: `spatial=0` keeps statistics per activation (C x D1 x ... ), which only coincides with
  /// the IR's per-channel form when the input has no spatial axes.
  mutating func convertBatchNormalization(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let attributes = node.attributes
    for slot in node.proto.output.indices.dropFirst() {
      if let statistic = node.outputName(slot), consumedNames.contains(statistic) {
        throw node.error("training mode is not supported (statistics output '\(statistic)' is used)")
      }
    }
    if try attributes.int("is_test") == 0 {
      throw node.error("training mode is not supported (is_test=0)")
    }
    if try attributes.flag("training_mode", default: false) {
      return try convertBatchNormalizationWithBatchStatistics(node)
    }
    let input = try node.requiredOperand(0, "X")
    let epsilon = try attributes.float("epsilon", default: 1e-5)
    if try !attributes.flag("spatial", default: true), rank(of: input) > 2,
      try !statisticsArePerChannel(node, input: input)
    {
      return try convertPerActivationBatchNormalization(node, input: input, epsilon: epsilon)
    }
    return Conversion(.batchNormalization(epsilon: epsilon), node.operands)
  }

  /// Whether a `spatial=0` BatchNormalization's scale, bias, mean and variance are one value per channel
  /// (`[C]`). MXNet's exporter wrote `spatial=0` on every BatchNormalization until 2020 (its comment said
  /// "per feature", meaning per channel), with `[C]` statistics: the ONNX model zoo's ResNets before their
  /// regeneration, ArcFace, DUC and every InsightFace model of the time. onnxruntime normalizes such a node per
  /// channel, as spatial=1 does, so it is imported as one.
  private func statisticsArePerChannel(_ node: ONNXNode, input: ValueID) throws(ModelError) -> Bool {
    guard let channels = graph.type(of: input).shape[1].value else { return false }
    for (slot, role) in [(1, "scale"), (2, "B"), (3, "mean"), (4, "var")] {
      let operand = try node.requiredOperand(slot, role)
      guard graph.type(of: operand).knownDims == [channels] else { return false }
    }
    return true
  }

  /// `spatial=0` with statistics per activation (`[C, D1, ...]`, broadcast against X's trailing axes):
  /// `(X − mean) / √(var + ε) · scale + B`, written out in elementwise ops for constant folding to reduce to
  /// one multiply and one add.
  private mutating func convertPerActivationBatchNormalization(
    _ node: ONNXNode, input: ValueID, epsilon: Float
  ) throws(ModelError) -> Conversion {
    let dtype = graph.type(of: input).dtype
    guard dtype.isFloatingPoint else { throw node.error("X is \(dtype.onnxName) but must be a float type") }
    let scale = try node.requiredOperand(1, "scale")
    let bias = try node.requiredOperand(2, "B")
    let mean = try node.requiredOperand(3, "mean")
    let variance = try node.requiredOperand(4, "var")
    let statisticsRank = rank(of: input) - 1
    for (operand, role) in [(scale, "scale"), (bias, "B"), (mean, "mean"), (variance, "var")]
    where rank(of: operand) > statisticsRank {
      throw node.error("spatial=0 \(role) has rank \(rank(of: operand)), more than X's \(statisticsRank) axes after the batch")
    }
    let name = node.name
    let eps = addScalar(Double(epsilon), dtype: dtype, named: "\(name)_epsilon")
    let shifted = try appendTyped(Conversion(.binary(.sub), [input, mean]), named: "\(name).centered")
    let padded = try appendTyped(Conversion(.binary(.add), [variance, eps]), named: "\(name).variance")
    let deviation = try appendTyped(Conversion(.unary(.sqrt), [padded]), named: "\(name).deviation")
    let normalized = try appendTyped(Conversion(.binary(.div), [shifted, deviation]), named: "\(name).normalized")
    let scaled = try appendTyped(Conversion(.binary(.mul), [normalized, scale]), named: "\(name).scaled")
    return Conversion(.binary(.add), [scaled, bias])
  }

  /// `stash_type` sets the precision of the statistics; the IR computes them in float32, the only value
  /// accepted here.
  mutating func convertLayerNormalization(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let attributes = node.attributes
    let input = try node.requiredOperand(0, "X")
    let axis = try normalizedAxis(try attributes.int("axis", default: -1), rank: rank(of: input), of: node)
    let stashType = try attributes.int("stash_type", default: ONNXDataType.code(of: .float32))
    guard stashType == ONNXDataType.code(of: .float32) else {
      throw node.error("stash_type \(ONNXDataType.name(code: stashType)) is not supported (only float)")
    }
    let layerNorm = LayerNormAttributes(axis: axis, epsilon: try attributes.float("epsilon", default: 1e-5))
    return Conversion(.layerNormalization(layerNorm), node.operands)
  }

  mutating func convertLRN(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let attributes = node.attributes
    let size = try attributes.requiredInt("size")
    guard size >= 1 else { throw node.error("size \(size) must be at least 1") }
    let lrn = LRNAttributes(
      size: size, alpha: try attributes.float("alpha", default: 1e-4),
      beta: try attributes.float("beta", default: 0.75),
      bias: try attributes.float("bias", default: 1))
    return Conversion(.lrn(lrn), node.operands)
  }

  /// Before opset 13 Softmax flattens its input to 2-D at `axis` (default 1) and normalizes rows; from 13 on
  /// it normalizes along `axis` (default -1). When `axis` is the last axis both meanings agree, and the node
  /// gets the newest form.
  mutating func convertSoftmax(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let input = try node.requiredOperand(0, "input")
    let inputRank = rank(of: input)
    let legacy = node.opset < 13
    let axis = try normalizedAxis(
      try node.attributes.int("axis", default: legacy ? 1 : -1), rank: inputRank, of: node)
    return Conversion(.softmax(axis: axis, coerced2D: legacy && axis != inputRank - 1), node.operands)
  }

  /// ReduceMean, ReduceSum and the sums of a function of the data: ReduceSumSquare `Σx²`, ReduceL1 `Σ|x|` and
  /// ReduceL2 `√Σx²` (EdgeNeXt's normalization), written as that function, a ReduceSum and (L2) a Sqrt. Axes
  /// are an attribute before opset 18 (ReduceSum: 13) and an optional input from then on, where
  /// `noop_with_empty_axes=1` makes "no axes" mean "reduce nothing" (the IR's `axes: []`) instead of "reduce
  /// everything" (`nil`).
  mutating func convertReduce(_ node: ONNXNode) throws(ModelError) -> Conversion {
    var input = try node.requiredOperand(0, "data")
    let keepDims = try node.attributes.flag("keepdims", default: true)
    let isSum = node.opType != "ReduceMean"
    let axesInputOpset = node.opType == "ReduceSum" ? 13 : 18
    try node.rejectAttributes(["axes"], movedToInputsAt: axesInputOpset)
    let given: [Int]?
    var reduceNothingWhenEmpty = false
    if node.opset < axesInputOpset {
      try node.requireInputCount(atMost: 1)
      given = try node.attributes.ints("axes")
    } else {
      try node.requireInputCount(atMost: 2)
      given = try node.operand(1).map { value throws(ModelError) in
        try constantIntegers(value, operand: "axes", of: node)
      }
      reduceNothingWhenEmpty = try node.attributes.flag("noop_with_empty_axes", default: false)
    }
    let axes: [Int]?
    if let given, !given.isEmpty {
      axes = try normalizedAxes(given, rank: rank(of: input), of: node)
    } else {
      axes = reduceNothingWhenEmpty ? [] : nil
    }
    guard isSum else { return Conversion(.reduceMean(axes: axes, keepDims: keepDims), [input]) }
    switch node.opType {
    case "ReduceSumSquare", "ReduceL2":
      input = try appendTyped(Conversion(.binary(.mul), [input, input]), named: "\(node.name).squares")
    case "ReduceL1":
      input = try appendTyped(Conversion(.unary(.abs), [input]), named: "\(node.name).magnitudes")
    default: break
    }
    if let kind = ReduceKind.allCases.first(where: { $0.onnxName == node.opType }) {
      return Conversion(.reduce(kind, axes: axes, keepDims: keepDims), [input])
    }
    let sum = Conversion(.reduce(.sum, axes: axes, keepDims: keepDims), [input])
    switch node.opType {
    case "ReduceL2": return Conversion(.unary(.sqrt), [try appendTyped(sum, named: "\(node.name).sum")])
    case "ReduceLogSum": return Conversion(.unary(.log), [try appendTyped(sum, named: "\(node.name).sum")])
    case "ReduceLogSumExp": return try logSumExp(input, axes: axes, keepDims: keepDims, node)
    default: return sum
    }
  }

  /// `log Σ exp(x − m) + m` with `m` the maximum over the same axes: the stable form, exact where the naive
  /// one overflows (ReduceLogSumExp).
  private mutating func logSumExp(
    _ x: ValueID, axes: [Int]?, keepDims: Bool, _ node: ONNXNode
  ) throws(ModelError) -> Conversion {
    let maximum = try step(.reduce(.max, axes: axes, keepDims: true), [x], "max", of: node)
    let shifted = try step(.binary(.sub), [x, maximum], "shifted", of: node)
    let exponentials = try step(.unary(.exp), [shifted], "exp", of: node)
    let total = try step(.reduce(.sum, axes: axes, keepDims: keepDims), [exponentials], "sum", of: node)
    let logTotal = try step(.unary(.log), [total], "log_sum", of: node)
    let offset = keepDims ? maximum : try step(.reduce(.max, axes: axes, keepDims: false), [x], "max_reduced", of: node)
    return Conversion(.binary(.add), [logTotal, offset])
  }

  /// RMSNormalization (opset 23): `x / √(mean(x²) + epsilon) · scale` over every axis from `axis` on.
  mutating func convertRMSNormalization(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try node.requiredOperand(0, "X")
    let type = graph.type(of: x)
    guard type.dtype.isFloatingPoint else { throw node.error("X is \(type.dtype.onnxName) but must be a float type") }
    let axis = try normalizedAxis(try node.attributes.int("axis", default: -1), rank: type.rank, of: node)
    let epsilon = Double(try node.attributes.float("epsilon", default: 1e-5))
    let squares = try step(.binary(.mul), [x, x], "squares", of: node)
    let trailing = Array(axis..<type.rank)
    let meanSquare = try step(.reduceMean(axes: trailing, keepDims: true), [squares], "mean_square", of: node)
    let epsilonValue = addScalar(epsilon, dtype: type.dtype, named: "\(node.name)_epsilon")
    let shifted = try step(.binary(.add), [meanSquare, epsilonValue], "shifted", of: node)
    let root = try step(.unary(.sqrt), [shifted], "root", of: node)
    let normalized = try step(.binary(.div), [x, root], "normalized", of: node)
    return Conversion(.binary(.mul), [normalized, try node.requiredOperand(1, "scale")])
  }

  /// ArgMax, ArgMin: the axis (default 0) made non-negative; `select_last_index` exists from opset 12.
  mutating func convertArgReduce(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let data = try node.requiredOperand(0, "data")
    let axis = try normalizedAxis(try node.attributes.int("axis", default: 0), rank: rank(of: data), of: node)
    let attributes = ArgReduceAttributes(
      max: node.opType == "ArgMax", axis: axis, keepDims: try node.attributes.flag("keepdims", default: true),
      selectLastIndex: try node.attributes.flag("select_last_index", default: false))
    return Conversion(.argReduce(attributes), [data])
  }

  /// Dropout is an identity at inference. Training is recognized by a `training_mode` input that is the
  /// constant true (opset 12+) or by the legacy `is_test=0`; `ratio` never matters at inference.
  mutating func convertDropout(_ node: ONNXNode) throws(ModelError) -> Conversion {
    if try node.attributes.int("is_test") == 0 {
      throw node.error("training mode is not supported (is_test=0)")
    }
    let input = try node.requiredOperand(0, "data")
    guard node.opset >= 12 else {
      try node.requireInputCount(atMost: 1)
      return Conversion(.dropout, [input])
    }
    try node.requireInputCount(atMost: 3)
    if let trainingMode = node.operand(2) {
      guard let flag = constant(behind: trainingMode), let value = flag.scalar else {
        throw node.error("operand 'training_mode' of Dropout must be a constant scalar")
      }
      guard value == 0 else { throw node.error("training mode is not supported (training_mode is true)") }
    }
    return Conversion(.dropout, [input])
  }
}
