import ResIR

/// Conversions of the operators Swin-style attention masks and relative-position tables are built from:
/// Not, Range and ScatterND. With static shapes they only ever see constants and fold away before lowering.
extension GraphBuilder {
  /// Not(x) is Equal(x, false): the same truth table on bool, so the IR needs no logical op of its own and
  /// the runtime's bool Equal runs it when it is not folded.
  mutating func convertNot(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try node.requiredOperand(0, "X")
    let dtype = graph.type(of: x).dtype
    guard dtype == .bool else { throw node.error("X is \(dtype.onnxName) but must be bool") }
    let falseValue = addGeneratedConstant("\(node.name).false", Constant(dtype: .bool, dims: [], doubles: [0]))
    return Conversion(.binary(.equal), [x, falseValue])
  }

  /// IsNaN(x) is Not(Equal(x, x)): only a NaN differs from itself. Exporters guard softmax with it
  /// (`where(isnan(p), 0, p)` in every dynamo-exported attention); the optimizer never rewrites `x == x`.
  mutating func convertIsNaN(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try node.requiredOperand(0, "X")
    let dtype = graph.type(of: x).dtype
    guard dtype.isFloatingPoint else { throw node.error("X is \(dtype.onnxName) but must be a float type") }
    let selfEqual = try appendTyped(Conversion(.binary(.equal), [x, x]), named: "\(node.name).is_number")
    let falseValue = addGeneratedConstant("\(node.name).false", Constant(dtype: .bool, dims: [], doubles: [0]))
    return Conversion(.binary(.equal), [selfEqual, falseValue])
  }

  /// PRelu(x, slope) is the IR's binary PRelu, `x < 0 ? x·slope : x`, with the slope broadcast to X in one
  /// direction (one slope, one per channel `[C, 1, 1]` as in an IResNet, or one per element); inference
  /// refuses a slope that does not broadcast to X. x and the slope share a float type.
  func convertPRelu(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try node.requiredOperand(0, "X")
    let slope = try node.requiredOperand(1, "slope")
    let dtype = graph.type(of: x).dtype
    guard dtype.isFloatingPoint else { throw node.error("X is \(dtype.onnxName) but must be a float type") }
    return Conversion(.binary(.prelu), [x, slope])
  }

  /// Range's three scalars pass through; inference and folding decide what a plan can know of it.
  func convertRange(_ node: ONNXNode) throws(ModelError) -> Conversion {
    Conversion(.range, node.operands)
  }

  /// ScatterND's `reduction` (opset 16 adds add and mul, 18 max and min; before 16 there is none).
  func convertScatterND(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let name = try node.attributes.string("reduction", default: "none")
    guard let reduction = ScatterReduction(rawValue: name) else {
      throw node.error("reduction '\(name)' is not one of none, add, mul, max, min")
    }
    return Conversion(.scatterND(reduction), node.operands)
  }
}

/// GatherElements, CumSum and Trilu: the position ids, token-type ids and causal masks transformer exports
/// compute (BERT and RoBERTa embeddings, GPT-2's attention mask).
extension GraphBuilder {
  /// The axis may be negative (counting from the end of data's rank).
  func convertGatherElements(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let data = try node.requiredOperand(0, "data")
    let axis = try normalizedAxis(try node.attributes.int("axis", default: 0), rank: rank(of: data), of: node)
    return Conversion(.gatherElements(axis: axis), [data, try node.requiredOperand(1, "indices")])
  }

  /// The axis is an input that must be a constant (a scalar, or one element).
  func convertCumSum(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try node.requiredOperand(0, "x")
    let given = try constantIntegers(try node.requiredOperand(1, "axis"), operand: "axis", of: node)
    guard given.count == 1 else { throw node.error("axis must hold one value, got \(given.count)") }
    let axis = try normalizedAxis(given[0], rank: rank(of: x), of: node)
    return Conversion(
      .cumSum(
        axis: axis, exclusive: try node.attributes.flag("exclusive", default: false),
        reverse: try node.attributes.flag("reverse", default: false)),
      [x])
  }

  /// The diagonal `k` is an optional input that must be a constant (0 when absent); `upper` defaults to true.
  func convertTrilu(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try node.requiredOperand(0, "input")
    var k = 0
    if let diagonal = node.operand(1) {
      let given = try constantIntegers(diagonal, operand: "k", of: node)
      guard given.count == 1 else { throw node.error("k must hold one value, got \(given.count)") }
      k = given[0]
    }
    return Conversion(.trilu(upper: try node.attributes.flag("upper", default: true), k: k), [x])
  }
}
