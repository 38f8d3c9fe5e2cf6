import ResIR

/// Ops that only reinterpret a shape (Reshape, Flatten, Squeeze, Unsqueeze, Identity) become views: no step,
/// the result is a second buffer over the source's bytes, in the arena or the constant section. Their shape
/// operands are not read at run time: the result's static shape says everything.
extension GraphLowering {
  mutating func lowerView(_ node: Node) throws(ModelError) {
    try bindView(try result(node), to: try operandTensor(node, 0))
  }

  /// Shape of a statically shaped value is a constant. Compile-time evaluation already replaces every live
  /// Shape by this same constant; lowering keeps the rule so that it does not depend on that having run.
  mutating func lowerShape(_ node: Node, start: Int, end: Int?) throws(ModelError) {
    let dims = try dims(of: try required(node, 0, "data"))
    let y = try result(node)
    let values = ShapeRange.slice(dims, start: start, end: end)
    let constant = Constant(int64s: values.map(Int64.init), dims: [values.count])
    try bindView(y, to: derivedConstant(graph[y].name, constant))
  }
}
