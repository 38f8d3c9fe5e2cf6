import ResIR

/// Elementwise ops with attributes, Clip's two forms, Cast, and Gemm.
extension GraphBuilder {
  mutating func convertParameterizedUnary(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let attributes = node.attributes
    let op: UnaryOp
    switch node.opType {
    case "LeakyRelu":
      op = .leakyRelu(alpha: try attributes.float("alpha", default: 0.01))
    case "HardSigmoid":
      op = .hardSigmoid(
        alpha: try attributes.float("alpha", default: 0.2), beta: try attributes.float("beta", default: 0.5))
    default:
      let approximate = try attributes.string("approximate", default: "none")
      guard let approximation = GeluApproximation(rawValue: approximate) else {
        throw node.error("approximate '\(approximate)' is not one of none, tanh")
      }
      op = .gelu(approximation)
    }
    return Conversion(.unary(op), node.operands)
  }

  /// `x · tanh(softplus(x))` (opset 18; earlier exports spell it out themselves, which `RecognizeMish` finds):
  /// one elementwise function, which an epilogue applies.
  mutating func convertMish(_ node: ONNXNode) throws(ModelError) -> Conversion {
    Conversion(.unary(.mish), [try floatOperand(node)])
  }

  /// Before opset 11 Clip's bounds are `min`/`max` attributes; from 11 on they are optional inputs. The IR
  /// uses inputs, so attribute bounds become scalar constants of the input's element type. An absent
  /// attribute means "no bound" in both forms.
  mutating func convertClip(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.rejectAttributes(["min", "max"], movedToInputsAt: 11)
    guard node.opset < 11 else { return Conversion(.clip, node.operands) }
    try node.requireInputCount(atMost: 1)
    let input = try node.requiredOperand(0, "input")
    let dtype = graph.type(of: input).dtype
    var operands: [ValueID?] = [input, nil, nil]
    if let minimum = try node.attributes.float("min") {
      operands[1] = addScalar(Double(minimum), dtype: dtype, named: "\(node.name)_min")
    }
    if let maximum = try node.attributes.float("max") {
      operands[2] = addScalar(Double(maximum), dtype: dtype, named: "\(node.name)_max")
    }
    return Conversion(.clip, operands)
  }

  /// `to` is a type code from opset 6 on and the type's name ("FLOAT") before.
  mutating func convertCast(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let code: Int
    if node.opset < 6 {
      let name = try node.attributes.requiredString("to")
      guard let named = ONNXDataType.code(named: name) else {
        throw node.error("cast target '\(name)' is not a data type")
      }
      code = named
    } else {
      code = try node.attributes.requiredInt("to")
    }
    guard let dtype = ONNXDataType.dtype(code: code) else {
      throw node.error("cast target: \(ONNXDataType.unsupportedMessage(code: code))")
    }
    return Conversion(.cast(to: dtype), node.operands)
  }

  /// Gemm's `broadcast` attribute (opset < 7) is accepted and ignored: from opset 7 on, C always broadcasts
  /// unidirectionally, which is what the IR implements, and a `broadcast=0` model has C of the output's
  /// shape, for which both meanings agree.
  mutating func convertGemm(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let attributes = node.attributes
    _ = try attributes.flag("broadcast", default: false)
    let gemm = GemmAttributes(
      alpha: try attributes.float("alpha", default: 1), beta: try attributes.float("beta", default: 1),
      transA: try attributes.flag("transA", default: false), transB: try attributes.flag("transB", default: false))
    return Conversion(.gemm(gemm), node.operands)
  }
}
