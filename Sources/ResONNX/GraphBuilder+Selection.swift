import ResIR

/// Hardmax and Shrink: elementwise selections written as comparisons and Where.
extension GraphBuilder {
  /// 1 at the first maximum along `axis` and 0 elsewhere. Before opset 13 the input is read as a matrix from
  /// `axis` (default 1) on, as Softmax, so the maximum is over all those axes together.
  mutating func convertHardmax(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try node.requiredOperand(0, "input")
    let type = graph.type(of: x)
    guard type.dtype.isFloatingPoint else {
      throw node.error("input is \(type.dtype.onnxName) but must be a float type")
    }
    let legacy = node.opset < 13
    let given = try node.attributes.int("axis", default: legacy ? 1 : -1)
    let axis = try normalizedAxis(given, rank: type.rank, of: node)
    guard legacy && axis != type.rank - 1 else { return try firstMaximum(x, axis: axis, node) }
    let rows = try appendTyped(Conversion(.flatten(axis: axis), [x]), named: "\(node.name).rows")
    let picked = try appendTyped(try firstMaximum(rows, axis: 1, node), named: "\(node.name).picked")
    let shape = try appendTyped(Conversion(.shape(start: 0, end: nil), [x]), named: "\(node.name).shape")
    return Conversion(.reshape(allowZero: false), [picked, shape])
  }

  /// Equal of each position along `axis` with the ArgMax there, cast to the input's type.
  private mutating func firstMaximum(_ x: ValueID, axis: Int, _ node: ONNXNode) throws(ModelError) -> Conversion {
    let type = graph.type(of: x)
    guard let size = type.shape[axis].value else {
      throw node.error("axis \(axis) of the input must have a known size")
    }
    let argmax = ArgReduceAttributes(max: true, axis: axis, keepDims: true, selectLastIndex: false)
    let winner = try appendTyped(Conversion(.argReduce(argmax), [x]), named: "\(node.name).argmax")
    var dims = Array(repeating: 1, count: type.rank)
    dims[axis] = size
    let positions = addGeneratedConstant(
      "\(node.name)_positions", Constant(int64s: (0..<size).map { Int64($0) }, dims: dims))
    let hit = try appendTyped(Conversion(.binary(.equal), [positions, winner]), named: "\(node.name).hit")
    return Conversion(.cast(to: type.dtype), [hit])
  }

  /// `x + bias` below `−lambd`, `x − bias` above `lambd`, 0 between.
  mutating func convertShrink(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try node.requiredOperand(0, "input")
    let dtype = graph.type(of: x).dtype
    let lambda = Double(try node.attributes.float("lambd", default: 0.5))
    let bias = Double(try node.attributes.float("bias", default: 0))
    func scalar(_ value: Double, _ role: String) -> ValueID {
      addScalar(value, dtype: dtype, named: "\(node.name)_\(role)")
    }
    let below = try appendTyped(
      Conversion(.binary(.compare(.less)), [x, scalar(-lambda, "lower")]), named: "\(node.name).below")
    let above = try appendTyped(
      Conversion(.binary(.compare(.greater)), [x, scalar(lambda, "upper")]), named: "\(node.name).above")
    let raised = try appendTyped(Conversion(.binary(.add), [x, scalar(bias, "bias")]), named: "\(node.name).raised")
    let lowered = try appendTyped(
      Conversion(.binary(.sub), [x, scalar(bias, "bias_again")]), named: "\(node.name).lowered")
    let upper = try appendTyped(Conversion(.where, [above, lowered, scalar(0, "zero")]), named: "\(node.name).upper")
    return Conversion(.where, [below, raised, upper])
  }
}
