import ResIR

/// The `com.microsoft` quantized operators onnxruntime's static quantizer writes in its operator format
/// (`QuantFormat.QOperator`) around QLinearConv and QLinearMatMul: a ResNet's residual `QLinearAdd`, its
/// `QLinearGlobalAveragePool` and classifier `QGemm`, and the element-wise, pooling and concatenation ops of
/// other networks. Each is computed as its schema defines it: the inputs dequantized, the float op, the
/// result quantized (`saturate(round(value / y_scale) + y_zero_point)`). onnxruntime computes some of them in
/// fixed point (QLinearAdd) or sums before scaling (the pools), so a value that lands within a rounding
/// error of a level boundary can come out one level apart.
extension GraphBuilder {
  /// The operators of the `com.microsoft` domain the importer reads, all at version 1 of that domain.
  static let microsoftQuantizedOperators: Set<String> = [
    "QLinearAdd", "QLinearMul", "QLinearSigmoid", "QLinearLeakyRelu", "QLinearGlobalAveragePool",
    "QLinearAveragePool", "QLinearConcat", "QGemm",
  ]

  mutating func convertMicrosoftQuantized(_ node: ONNXNode) throws(ModelError) -> Conversion {
    switch node.opType {
    case "QLinearAdd": return try quantizedBinary(node, .add)
    case "QLinearMul": return try quantizedBinary(node, .mul)
    case "QLinearSigmoid": return try quantizedUnary(node, .unary(.sigmoid))
    case "QLinearLeakyRelu":
      return try quantizedUnary(node, .unary(.leakyRelu(alpha: try node.attributes.float("alpha", default: 0.01))))
    case "QLinearGlobalAveragePool":
      try rejectChannelsLast(node)
      return try quantizedUnary(node, .globalAveragePool)
    case "QLinearAveragePool":
      try rejectChannelsLast(node)
      // The window depends only on X's shape, which its dequantized values share.
      return try quantizedUnary(node, try convertAveragePool(node).op)
    case "QLinearConcat": return try convertQLinearConcat(node)
    case "QGemm": return try convertQGemm(node)
    default:
      // OpSupport.check has rejected every other operator before any node is converted.
      throw node.error("operator com.microsoft::\(node.opType) is not supported")
    }
  }

  /// (A, A_scale, A_zero_point, B, B_scale, B_zero_point, C_scale, C_zero_point) → C = A op B, broadcasting.
  ///
  /// Computed in float64: `(A_scale·(A − A_zp) + B_scale·(B − B_zp)) / C_scale` then lies within about 1e-16
  /// of the real number and rounds to the level the real number rounds to, as onnxruntime's fixed-point kernel
  /// (22-bit multipliers) does but float32 would not: in ResNet-50's layer3.0 residual, float32 gave 5.4999995
  /// for 5.5000007 in 5 of 16,384 elements, each then a level below onnxruntime's. (`GraphBuilder+QDQFusion`
  /// imports a QDQ Add this way too.)
  mutating func quantizedBinary(_ node: ONNXNode, _ op: BinaryOp) throws(ModelError) -> Conversion {
    try node.requireInputCount(atMost: 8)
    let a = try node.requiredOperand(0, "A")
    let first = try wideDequantized(
      a, scale: try node.requiredOperand(1, "A_scale"), zeroPoint: node.operand(2), node, "a")
    let second = try wideDequantized(
      try node.requiredOperand(3, "B"), scale: try node.requiredOperand(4, "B_scale"), zeroPoint: node.operand(5), node,
      "b")
    let value = try step(.binary(op), [first, second], "wide_result", of: node)
    let scale = try node.requiredOperand(6, "C_scale")
    try requireQuantizedOperands(nil, scale: scale, zeroPoint: node.operand(7), node)
    let wideScale = try step(.cast(to: .float64), [scale], "c_scale_wide", of: node)
    let ratio = try step(.binary(.div), [value, wideScale], "ratio", of: node)
    return try saturated(ratio, plus: node.operand(7), to: graph.type(of: node.operand(7) ?? a).dtype, node)
  }

  /// `(x − zero_point) · scale` in float64 (every 8-bit level and float32 scale exactly, one rounding).
  private mutating func wideDequantized(
    _ x: ValueID, scale: ValueID, zeroPoint: ValueID?, _ node: ONNXNode, _ label: String
  ) throws(ModelError) -> ValueID {
    try requireQuantizedOperands(x, scale: scale, zeroPoint: zeroPoint, node)
    let levels = try centered(x, minus: zeroPoint, as: .float64, node, label)
    let wideScale = try step(.cast(to: .float64), [scale], "\(label)_scale_wide", of: node)
    return try step(.binary(.mul), [levels, wideScale], "\(label)_dequantized", of: node)
  }

  /// (X, X_scale, X_zero_point, Y_scale, Y_zero_point) → Y = op(X).
  private mutating func quantizedUnary(_ node: ONNXNode, _ op: Op) throws(ModelError) -> Conversion {
    try node.requireInputCount(atMost: 5)
    let x = try node.requiredOperand(0, "X")
    let input = try dequantized(x, scale: try node.requiredOperand(1, "X_scale"), zeroPoint: node.operand(2), node, "x")
    let value = try step(op, [input], "float_result", of: node)
    return try quantizedResult(value, scale: (3, "Y_scale"), zeroPoint: node.operand(4), like: x, node)
  }

  /// (Y_scale, Y_zero_point, then X, X_scale, X_zero_point for each input) → their concatenation on `axis`.
  private mutating func convertQLinearConcat(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let tensors = node.operands.count - 2
    guard tensors >= 3, tensors % 3 == 0 else {
      throw node.error(
        "has \(node.operands.count) inputs; expected Y_scale, Y_zero_point and triples of X, scale, zero point")
    }
    var inputs: [ValueID] = []
    for index in stride(from: 2, to: node.operands.count, by: 3) {
      let x = try node.requiredOperand(index, "X")
      let scale = try node.requiredOperand(index + 1, "X_scale")
      inputs.append(try dequantized(x, scale: scale, zeroPoint: node.operand(index + 2), node, "input\(inputs.count)"))
    }
    let axis = try normalizedAxis(try node.attributes.requiredInt("axis"), rank: rank(of: inputs[0]), of: node)
    let value = try step(.concat(axis: axis), inputs, "float_result", of: node)
    let first = try node.requiredOperand(2, "X")
    return try quantizedResult(value, scale: (0, "Y_scale"), zeroPoint: node.operand(1), like: first, node)
  }

  /// QGemm(A, a_scale, a_zero_point, B, b_scale, b_zero_point, C, y_scale, y_zero_point): `alpha ·
  /// a_scale · b_scale · (A'·B' + C)` with C an int32 bias at the product's scale, quantized when y_scale
  /// is given and float otherwise.
  private mutating func convertQGemm(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.requireInputCount(atMost: 9)
    let attributes = node.attributes
    let transA = try attributes.flag("transA", default: false)
    let transB = try attributes.flag("transB", default: false)
    let alpha = try attributes.float("alpha", default: 1)
    let a = try node.requiredOperand(0, "A")
    let b = try node.requiredOperand(3, "B")
    let aScale = try node.requiredOperand(1, "a_scale")
    let bScale = try node.requiredOperand(4, "b_scale")
    for value in [a, b] + [node.operand(2), node.operand(5)].compactMap({ $0 }) {
      let dtype = graph.type(of: value).dtype
      guard dtype == .int8 || dtype == .uint8 else {
        throw node.error("element type \(dtype.onnxName) is not supported (int8 and uint8 are)")
      }
    }
    try requireQuantizedOperands(nil, scale: aScale, zeroPoint: nil, node)
    try requireQuantizedOperands(nil, scale: bScale, zeroPoint: nil, node)
    let aLevels = try centered(a, minus: node.operand(2), as: .float32, node, "a")
    // A per-column zero point of B runs along B's rows when B is stored transposed ([N, K]).
    let bZero = try node.operand(5).map { point throws(ModelError) in
      transB ? try alongAxis(point, axis: 0, rank: rank(of: b), node, "b_zero_point_columns") : point
    }
    let bLevels = try centered(b, minus: bZero, as: .float32, node, "b")
    let bias = try node.operand(6).map { value throws(ModelError) in
      try step(.cast(to: .float32), [value], "bias_levels", of: node)
    }
    let gemm = GemmAttributes(alpha: 1, beta: 1, transA: transA, transB: transB)
    let accumulator = try step(.gemm(gemm), [aLevels, bLevels, bias], "accumulator", of: node)
    let alphaValue = addScalar(Double(alpha), dtype: .float32, named: "\(node.name)_alpha")
    let aFloat = try step(.cast(to: .float32), [aScale], "a_scale_value", of: node)
    let bFloat = try step(.cast(to: .float32), [bScale], "b_scale_value", of: node)
    let productScale = try step(.binary(.mul), [aFloat, bFloat], "product_scale", of: node)
    let scale = try step(.binary(.mul), [alphaValue, productScale], "scale", of: node)
    guard let yScale = node.operand(7) else { return Conversion(.binary(.mul), [accumulator, scale]) }
    try requireQuantizedOperands(nil, scale: yScale, zeroPoint: node.operand(8), node)
    let yFloat = try step(.cast(to: .float32), [yScale], "y_scale_value", of: node)
    let multiplier = try step(.binary(.div), [scale, yFloat], "multiplier", of: node)
    let levels = try step(.binary(.mul), [accumulator, multiplier], "levels", of: node)
    let target = node.operand(8).map { graph.type(of: $0).dtype } ?? .uint8
    return try saturated(levels, plus: node.operand(8), to: target, node)
  }

  /// The float `value` quantized with the scale in `scale.slot` and `zeroPoint`, to the zero point's type
  /// (the type of `like`, the first quantized input, when the zero point is absent).
  private mutating func quantizedResult(
    _ value: ValueID, scale: (slot: Int, name: String), zeroPoint: ValueID?, like input: ValueID, _ node: ONNXNode
  ) throws(ModelError) -> Conversion {
    let scaleValue = try node.requiredOperand(scale.slot, scale.name)
    let target = graph.type(of: zeroPoint ?? input).dtype
    let floatValue = graph.type(of: value).dtype == graph.type(of: scaleValue).dtype ? value
      : try step(.cast(to: graph.type(of: scaleValue).dtype), [value], "float_value", of: node)
    return try quantized(floatValue, scale: scaleValue, zeroPoint: zeroPoint, to: target, node)
  }

  private func rejectChannelsLast(_ node: ONNXNode) throws(ModelError) {
    if try node.attributes.int("channels_last", default: 0) != 0 {
      throw node.error("channels_last=1 is not supported")
    }
  }
}
