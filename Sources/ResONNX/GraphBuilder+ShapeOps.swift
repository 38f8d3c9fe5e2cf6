import ResIR

/// Shape manipulation and data movement. Axes become non-negative here; operands that the IR keeps as
/// attributes (split sizes, squeeze/unsqueeze axes, pads) are read from constants.
extension GraphBuilder {
  mutating func convertFlatten(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let input = try node.requiredOperand(0, "input")
    let inputRank = rank(of: input)
    // Flatten's axis may equal the rank (everything goes to the first dimension): range -rank...rank.
    let axis = try node.attributes.int("axis", default: 1)
    guard axis >= -inputRank, axis <= inputRank else {
      throw node.error("axis \(axis) is out of range for rank \(inputRank)")
    }
    return Conversion(.flatten(axis: axis < 0 ? axis + inputRank : axis), node.operands)
  }

  mutating func convertTranspose(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let inputRank = rank(of: try node.requiredOperand(0, "data"))
    let perm = try node.attributes.ints("perm") ?? Array((0..<inputRank).reversed())
    guard perm.sorted() == Array(0..<inputRank) else {
      throw node.error("perm \(perm) is not a permutation of the \(inputRank) axes")
    }
    return Conversion(.transpose(perm: perm), node.operands)
  }

  /// `axis` is required from opset 4 on and defaults to 1 (channels) before.
  mutating func convertConcat(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let first = try node.requiredOperand(0, "inputs")
    let given = node.opset < 4 ? try node.attributes.int("axis", default: 1) : try node.attributes.requiredInt("axis")
    let axis = try normalizedAxis(given, rank: rank(of: first), of: node)
    return Conversion(.concat(axis: axis), node.operands)
  }

  mutating func convertGather(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let data = try node.requiredOperand(0, "data")
    let axis = try normalizedAxis(try node.attributes.int("axis", default: 0), rank: rank(of: data), of: node)
    return Conversion(.gather(axis: axis), node.operands)
  }

  /// `start`/`end` (opset 15+) are clamped to `0...rank` after adding the rank to negative values, as ONNX
  /// specifies; an `end` at the rank is the same as no `end`.
  mutating func convertShape(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let inputRank = rank(of: try node.requiredOperand(0, "data"))
    func clamped(_ position: Int) -> Int {
      min(max(position < 0 ? position + inputRank : position, 0), inputRank)
    }
    let start = clamped(try node.attributes.int("start", default: 0))
    let end = try node.attributes.int("end").map(clamped)
    return Conversion(.shape(start: start, end: end == inputRank ? nil : end), node.operands)
  }

  /// The fill value is a one-element tensor attribute; without it ONNX fills with float32 zeros.
  mutating func convertConstantOfShape(_ node: ONNXNode) throws(ModelError) -> Conversion {
    guard let tensor = try node.attributes.tensor("value") else {
      return Conversion(.constantOfShape(ScalarValue(dtype: .float32, value: 0)), node.operands)
    }
    let value = try decoder.constant(from: tensor, error: { node.error("value: \($0)") })
    guard let scalar = value.scalar else {
      throw node.error("value must hold exactly one element, got shape \(value.dims)")
    }
    return Conversion(.constantOfShape(ScalarValue(dtype: value.dtype, value: scalar)), node.operands)
  }
}
