import ResIR

extension GraphLowering {
  /// The value in operand `slot`, which the op requires.
  func required(_ node: Node, _ slot: Int, _ name: String) throws(ModelError) -> ValueID {
    guard let value = node.input(slot) else { throw ModelError(node, "operand \(slot) (\(name)) is missing") }
    return value
  }

  /// The node's result `index`.
  func result(_ node: Node, _ index: Int = 0) throws(ModelError) -> ValueID {
    guard node.outputs.indices.contains(index) else {
      throw ModelError(node, "has \(node.outputs.count) results, expected at least \(index + 1)")
    }
    return node.outputs[index]
  }

  /// Compute-heavy ops (convolution, matrix products, recurrent layers, pooling, normalization, reductions,
  /// softmax) have f32 kernels only: f16 and f64 operands are converted around them, integer ones cannot run.
  func requireFloatCompute(_ node: Node, _ value: ValueID) throws(ModelError) {
    let dtype = dtype(of: value)
    guard dtype.isFloatingPoint else {
      let op = node.op.onnxName
      throw ModelError(
        node, "\(op) on \(dtype.onnxName) data is not supported: the plan's \(op) kernels compute in float only")
    }
  }

  /// A constant operand's value, when the operand is a constant (shape operands of data movement must be).
  func constantOperand(_ node: Node, _ slot: Int) -> Constant? {
    node.input(slot).flatMap { graph.constant($0) }
  }
}
