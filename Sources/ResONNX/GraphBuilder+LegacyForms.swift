import ResIR

/// Operator forms from opsets 1 to 6 (Caffe2 conversions and the first PyTorch exports, still in model zoos)
/// that opset 7 changed in meaning rather than in where an attribute lives: binary broadcasting, Reshape's
/// shape, and the experimental ImageScaler.
extension GraphBuilder {
  /// Before opset 7, binary arithmetic and comparisons broadcast only with `broadcast=1`, and then only B,
  /// whose axes line up with A's from `axis` on (with A's trailing axes when `axis` is absent). The IR
  /// broadcasts numpy-style, so a B aligned at `axis` gets trailing unit axes; the other legacy forms (equal
  /// shapes, or B aligned with the trailing axes) already mean the same under numpy broadcasting.
  mutating func convertBinary(_ node: ONNXNode, _ op: BinaryOp) throws(ModelError) -> Conversion {
    guard node.opset < 7 else { return Conversion(.binary(op), node.operands) }
    let (a, b) = try binaryOperands(node)
    return Conversion(.binary(op), [a, b])
  }

  /// A and B of a binary node, B with the unit axes that opsets 1 to 6 imply for `broadcast=1` with `axis`.
  mutating func binaryOperands(_ node: ONNXNode) throws(ModelError) -> (ValueID, ValueID) {
    try node.requireInputCount(atMost: 2)
    let a = try node.requiredOperand(0, "A")
    let b = try node.requiredOperand(1, "B")
    guard node.opset < 7, try node.attributes.flag("broadcast", default: false),
      let axis = try node.attributes.int("axis")
    else { return (a, b) }
    let (rankA, rankB) = (rank(of: a), rank(of: b))
    let start = try normalizedAxis(axis, rank: rankA, of: node)
    let trailing = rankA - start - rankB
    guard trailing >= 0 else {
      throw node.error("B of rank \(rankB) does not fit into A of rank \(rankA) from axis \(start)")
    }
    guard trailing > 0 else { return (a, b) }
    let unitAxes = Conversion(.unsqueeze(axes: Array(rankB..<(rankB + trailing))), [b])
    return (a, try appendTyped(unitAxes, named: "\(node.name).aligned"))
  }

  /// Before opset 5 the target shape is the `shape` attribute; the IR reads it as an int64 input.
  mutating func convertReshape(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.rejectAttributes(["shape"], movedToInputsAt: 5)
    guard node.opset < 5 else {
      return Conversion(.reshape(allowZero: try node.attributes.flag("allowzero", default: false)), node.operands)
    }
    try node.requireInputCount(atMost: 1)
    let shape = addIntegers(try node.attributes.requiredInts("shape"), named: "\(node.name)_shape")
    return Conversion(.reshape(allowZero: false), [try node.requiredOperand(0, "data"), shape])
  }

  /// ImageScaler (experimental, opsets 1 to 9): `scale · x + bias[c]` on an NCHW image, written as a Mul by a
  /// scalar and an Add of a [1, C, 1, 1] constant, which scale folding then merges into the next convolution.
  mutating func convertImageScaler(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.requireInputCount(atMost: 1)
    let input = try node.requiredOperand(0, "input")
    let type = graph.type(of: input)
    guard type.rank == 4, type.dtype == .float32 else {
      throw node.error("input must be a float NCHW image, not \(type)")
    }
    let scale = try node.attributes.float("scale", default: 1)
    let bias = try node.attributes.floats("bias") ?? []
    if !bias.isEmpty, let channels = type.shape[1].value, channels != bias.count {
      throw node.error("bias has \(bias.count) values for \(channels) channels")
    }
    let factor = addScalar(Double(scale), dtype: .float32, named: "\(node.name)_scale")
    guard !bias.isEmpty else { return Conversion(.binary(.mul), [input, factor]) }
    let scaled = try appendTyped(Conversion(.binary(.mul), [input, factor]), named: "\(node.name).scaled")
    let shift = addGeneratedConstant("\(node.name)_bias", Constant(floats: bias, dims: [1, bias.count, 1, 1]))
    return Conversion(.binary(.add), [scaled, shift])
  }
}
