import ResIR

/// TopK: `k` is an attribute at opset 1 (read here at 7 to 9) and a one-element int64 input from opset 10 on;
/// `largest` and `sorted` arrive at opset 11. The IR keeps K as a number because it decides the shape of both
/// results, so K must be known when compiling: a constant, or a value inference computed completely (a K
/// taken from a static shape). The IR always sorts, which `sorted=0` permits, so `sorted` is only checked.
extension GraphBuilder {
  mutating func convertTopK(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let x = try node.requiredOperand(0, "X")
    let axis = try normalizedAxis(try node.attributes.int("axis", default: -1), rank: rank(of: x), of: node)
    let k = try topKCount(node)
    _ = try node.attributes.flag("sorted", default: true)
    let attributes = TopKAttributes(k: k, axis: axis, largest: try node.attributes.flag("largest", default: true))
    return Conversion(.topK(attributes), [x])
  }

  /// K from the `k` attribute (opset < 10) or the `K` input, one non-negative number.
  private func topKCount(_ node: ONNXNode) throws(ModelError) -> Int {
    try node.rejectAttributes(["k"], movedToInputsAt: 10)
    try node.requireInputCount(atMost: node.opset < 10 ? 1 : 2)
    let k: Int
    if node.opset < 10 {
      k = try node.attributes.requiredInt("k")
    } else {
      let given = try constantIntegers(try node.requiredOperand(1, "K"), operand: "K", of: node)
      guard given.count == 1 else { throw node.error("K must hold one value, got \(given.count)") }
      k = given[0]
    }
    guard k >= 0 else { throw node.error("K is \(k), a negative count") }
    return k
  }
}
