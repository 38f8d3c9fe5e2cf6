import ResIR

/// Operators with no IR op of their own, written out in the ops that exist: activations from other frameworks
/// (Selu, Celu, Softsign, ThresholdedRelu, Sign) and reductions (GlobalMaxPool, LogSoftmax, Mean, Size).
/// Each is ONNX's definition of the operator, term for term, so the reference evaluator checks it like any
/// other graph, and every pass sees ops it already knows how to fuse or fold.
extension GraphBuilder {
  /// `gamma · elu(x, alpha)`. Selu's exponential branch covers x ≤ 0 and Elu's only x < 0, which differ at 0
  /// alone and only when alpha is not finite (`alpha · (e⁰ − 1)` is then NaN, as onnxruntime computes it, where
  /// Elu gives 0): such an alpha gets the branches term for term.
  mutating func convertSelu(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try floatOperand(node)
    let alpha = try node.attributes.float("alpha", default: 1.67326319217681884765625)
    let gamma = try node.attributes.float("gamma", default: 1.05070102214813232421875)
    let gammaValue = scalar(gamma, like: x, node, "gamma")
    guard alpha.isFinite else {
      let selected = try seluBranches(node, x, alpha: alpha)
      return Conversion(.binary(.mul), [selected, gammaValue])
    }
    let elu = try appendTyped(Conversion(.unary(.elu(alpha: alpha)), [x]), named: "\(node.name).elu")
    return Conversion(.binary(.mul), [elu, gammaValue])
  }

  /// `x > 0 ? x : alpha · (eˣ − 1)`, for a Selu whose alpha is infinite or NaN.
  private mutating func seluBranches(_ node: ONNXNode, _ x: ValueID, alpha: Float) throws(ModelError) -> ValueID {
    let zero = scalar(0, like: x, node, "zero")
    let positive = try appendTyped(Conversion(.binary(.compare(.greater)), [x, zero]), named: "\(node.name).positive")
    let exponential = try appendTyped(Conversion(.unary(.exp), [x]), named: "\(node.name).exp")
    let shifted = try appendTyped(
      Conversion(.binary(.sub), [exponential, scalar(1, like: x, node, "one")]), named: "\(node.name).shifted")
    let negative = try appendTyped(
      Conversion(.binary(.mul), [scalar(alpha, like: x, node, "alpha"), shifted]), named: "\(node.name).negative")
    return try appendTyped(Conversion(.where, [positive, x, negative]), named: "\(node.name).selected")
  }

  /// `max(0, x) + min(0, alpha · (exp(x / alpha) − 1))`, term for term as ONNX defines it and onnxruntime
  /// computes it (Elu itself when alpha is 1). Not `alpha · elu(x / alpha)`, which equals it in exact
  /// arithmetic: with a small alpha (1e-38) `x / alpha` overflows and a positive x came out infinite, and
  /// `alpha · (x / alpha)` is not always x to the last bit.
  mutating func convertCelu(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try floatOperand(node)
    let alpha = try node.attributes.float("alpha", default: 1)
    guard alpha != 1 else { return Conversion(.unary(.elu(alpha: 1)), [x]) }
    let alphaValue = scalar(alpha, like: x, node, "alpha")
    let zero = scalar(0, like: x, node, "zero")
    let scaled = try appendTyped(Conversion(.binary(.div), [x, alphaValue]), named: "\(node.name).scaled")
    let exponential = try appendTyped(Conversion(.unary(.exp), [scaled]), named: "\(node.name).exp")
    let shifted = try appendTyped(
      Conversion(.binary(.sub), [exponential, scalar(1, like: x, node, "one")]), named: "\(node.name).shifted")
    let product = try appendTyped(Conversion(.binary(.mul), [alphaValue, shifted]), named: "\(node.name).product")
    let negative = try appendTyped(Conversion(.variadic(.min), [product, zero]), named: "\(node.name).negative")
    let positive = try appendTyped(Conversion(.variadic(.max), [x, zero]), named: "\(node.name).positive")
    return Conversion(.binary(.add), [positive, negative])
  }

  /// `x / (1 + |x|)`.
  mutating func convertSoftsign(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try floatOperand(node)
    let magnitude = try appendTyped(Conversion(.unary(.abs), [x]), named: "\(node.name).magnitude")
    let one = scalar(1, like: x, node, "one")
    let denominator = try appendTyped(Conversion(.binary(.add), [magnitude, one]), named: "\(node.name).denominator")
    return Conversion(.binary(.div), [x, denominator])
  }

  /// `x` where `x > alpha`, else 0.
  mutating func convertThresholdedRelu(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try floatOperand(node)
    let alpha = scalar(try node.attributes.float("alpha", default: 1), like: x, node, "alpha")
    let above = try appendTyped(Conversion(.binary(.compare(.greater)), [x, alpha]), named: "\(node.name).above")
    return Conversion(.where, [above, x, scalar(0, like: x, node, "zero")])
  }

  /// `x · sigmoid(alpha · x)` (opset 24; earlier exports write Sigmoid and Mul).
  mutating func convertSwish(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try floatOperand(node)
    let alpha = try node.attributes.float("alpha", default: 1)
    var gateInput = x
    if alpha != 1 {
      let factor = scalar(alpha, like: x, node, "alpha")
      gateInput = try appendTyped(Conversion(.binary(.mul), [x, factor]), named: "\(node.name).scaled")
    }
    let gate = try appendTyped(Conversion(.unary(.sigmoid), [gateInput]), named: "\(node.name).gate")
    return Conversion(.binary(.mul), [x, gate])
  }

  /// Whether each element is +∞ or −∞ (`detect_positive`, `detect_negative`): `|x| = ∞`, or `x = ±∞`.
  mutating func convertIsInf(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try floatOperand(node)
    let positive = try node.attributes.flag("detect_positive", default: true)
    let negative = try node.attributes.flag("detect_negative", default: true)
    let infinity = scalar(.infinity, like: x, node, "infinity")
    switch (positive, negative) {
    case (true, true):
      let magnitude = try appendTyped(Conversion(.unary(.abs), [x]), named: "\(node.name).magnitude")
      return Conversion(.binary(.equal), [magnitude, infinity])
    case (true, false): return Conversion(.binary(.equal), [x, infinity])
    case (false, true): return Conversion(.binary(.equal), [x, scalar(-.infinity, like: x, node, "negative_infinity")])
    case (false, false):
      // All false, in the input's shape: no element is below itself.
      return Conversion(.binary(.compare(.less)), [x, x])
    }
  }

  /// `x / ‖x‖ₚ` along `axis` for p = 1 or 2 (LpNormalization). A zero norm divides by 1 instead: its
  /// elements are all 0 and stay 0, as in ONNX's reference.
  mutating func convertLpNormalization(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try floatOperand(node)
    let axis = try normalizedAxis(try node.attributes.int("axis", default: -1), rank: rank(of: x), of: node)
    let p = try node.attributes.int("p", default: 2)
    let norm: ValueID
    switch p {
    case 1:
      let magnitude = try appendTyped(Conversion(.unary(.abs), [x]), named: "\(node.name).magnitude")
      norm = try appendTyped(
        Conversion(.reduce(.sum, axes: [axis], keepDims: true), [magnitude]), named: "\(node.name).norm")
    case 2:
      let squares = try appendTyped(Conversion(.binary(.mul), [x, x]), named: "\(node.name).squares")
      let sum = try appendTyped(
        Conversion(.reduce(.sum, axes: [axis], keepDims: true), [squares]), named: "\(node.name).sum")
      norm = try appendTyped(Conversion(.unary(.sqrt), [sum]), named: "\(node.name).norm")
    default: throw node.error("p \(p) is not 1 or 2")
    }
    let zero = try appendTyped(
      Conversion(.binary(.equal), [norm, scalar(0, like: x, node, "zero")]), named: "\(node.name).zero_norm")
    let divisor = try appendTyped(
      Conversion(.where, [zero, scalar(1, like: x, node, "one"), norm]), named: "\(node.name).divisor")
    return Conversion(.binary(.div), [x, divisor])
  }

  /// 1 for positive, −1 for negative and 0 for zero elements, in the input's element type.
  mutating func convertSign(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try node.requiredOperand(0, "input")
    let zero = scalar(0, like: x, node, "zero")
    let positive = try appendTyped(Conversion(.binary(.compare(.greater)), [x, zero]), named: "\(node.name).positive")
    let negative = try appendTyped(Conversion(.binary(.compare(.less)), [x, zero]), named: "\(node.name).negative")
    let signOfNegative = try appendTyped(
      Conversion(.where, [negative, scalar(-1, like: x, node, "minus_one"), zero]), named: "\(node.name).nonpositive")
    return Conversion(.where, [positive, scalar(1, like: x, node, "one"), signOfNegative])
  }

  /// The maximum over every spatial axis, kept as size 1.
  mutating func convertGlobalMaxPool(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try floatOperand(node)
    let inputRank = rank(of: x)
    guard inputRank >= 3 else { throw node.error("input must have a batch, a channel and a spatial axis") }
    return Conversion(.reduce(.max, axes: Array(2..<inputRank), keepDims: true), [x])
  }

  /// `s − log(Σ exp(s))` with `s = x − max(x)`, the stable form, over `axis` (opset 13+) or, before 13, over
  /// every axis from `axis` on (the input read as a 2-D matrix), as Softmax.
  mutating func convertLogSoftmax(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try floatOperand(node)
    let inputRank = rank(of: x)
    let legacy = node.opset < 13
    let axis = try normalizedAxis(try node.attributes.int("axis", default: legacy ? 1 : -1), rank: inputRank, of: node)
    let axes = legacy ? Array(axis..<inputRank) : [axis]
    let maximum = try appendTyped(
      Conversion(.reduce(.max, axes: axes, keepDims: true), [x]), named: "\(node.name).max")
    let shifted = try appendTyped(Conversion(.binary(.sub), [x, maximum]), named: "\(node.name).shifted")
    let exponentials = try appendTyped(Conversion(.unary(.exp), [shifted]), named: "\(node.name).exp")
    let total = try appendTyped(
      Conversion(.reduce(.sum, axes: axes, keepDims: true), [exponentials]), named: "\(node.name).sum")
    let logTotal = try appendTyped(Conversion(.unary(.log), [total]), named: "\(node.name).log_sum")
    return Conversion(.binary(.sub), [shifted, logTotal])
  }

  /// The elementwise sum of the inputs (broadcast from opset 8 on) divided by their count.
  mutating func convertMean(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let first = try floatOperand(node)
    let operands = node.operands
    guard !operands.contains(where: { $0 == nil }) else { throw node.error("an input is empty") }
    let total = try appendTyped(Conversion(.variadic(.sum), operands), named: "\(node.name).sum")
    return Conversion(.binary(.div), [total, scalar(Float(operands.count), like: first, node, "count")])
  }

  /// The product of the input's shape: a Shape and a ReduceProd, which shape arithmetic folds when the
  /// dimensions are known.
  mutating func convertSize(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try node.requiredOperand(0, "data")
    let shape = try appendTyped(Conversion(.shape(start: 0, end: nil), [x]), named: "\(node.name).shape")
    return Conversion(.reduce(.prod, axes: nil, keepDims: false), [shape])
  }

  // MARK: - Logic and types

  /// And, Or and Xor of bool tensors: `Where(a, b, false)`, `Where(a, true, b)` and `Equal(Equal(a, b), false)`.
  /// Before opset 7 they broadcast like the arithmetic ops of their time (`broadcast`, `axis`).
  mutating func convertLogical(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let (a, b) = try binaryOperands(node)
    for operand in [a, b] where graph.type(of: operand).dtype != .bool {
      throw node.error("inputs must be bool, not \(graph.type(of: operand).dtype.onnxName)")
    }
    let falseValue = addGeneratedConstant("\(node.name)_false", Constant(dtype: .bool, dims: [], doubles: [0]))
    switch node.opType {
    case "And": return Conversion(.where, [a, b, falseValue])
    case "Or":
      let trueValue = addGeneratedConstant("\(node.name)_true", Constant(dtype: .bool, dims: [], doubles: [1]))
      return Conversion(.where, [a, trueValue, b])
    default:
      let same = try appendTyped(Conversion(.binary(.equal), [a, b]), named: "\(node.name).same")
      return Conversion(.binary(.equal), [same, falseValue])
    }
  }

  /// CastLike (opset 15): a Cast to the element type of the second input.
  mutating func convertCastLike(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.requireInputCount(atMost: 2)
    let target = graph.type(of: try node.requiredOperand(1, "target_type")).dtype
    return Conversion(.cast(to: target), [try node.requiredOperand(0, "input")])
  }

  // MARK: - Helpers

  /// The node's first input, which these decompositions (and Mish) need in a float type.
  func floatOperand(_ node: ONNXNode) throws(ModelError) -> ValueID {
    let x = try node.requiredOperand(0, "input")
    let dtype = graph.type(of: x).dtype
    guard dtype.isFloatingPoint else { throw node.error("input is \(dtype.onnxName) but must be a float type") }
    return x
  }

  /// A scalar constant in `value`'s element type, named after the node.
  private mutating func scalar(_ number: Float, like value: ValueID, _ node: ONNXNode, _ role: String) -> ValueID {
    addScalar(Double(number), dtype: graph.type(of: value).dtype, named: "\(node.name)_\(role)")
  }
}
