import ResIR

/// The elementwise ops of one operand. All take float tensors; Relu also takes integers, as ONNX allows.
enum Unary {
  static func evaluate(_ operands: NodeOperands, _ op: UnaryOp) throws(EvaluationFailure) -> ReferenceTensor {
    let x = try operands.required(0, "X")
    if case .relu = op, case .integral(let values) = x.storage, x.dtype.isInteger {
      return ReferenceTensor(dtype: x.dtype, shape: x.shape, storage: .integral(values.map { max($0, 0) }))
    }
    let input = try x.floatValues("X")
    return ReferenceTensor(dtype: x.dtype, shape: x.shape, doubles: input.map(op.apply))
  }
}
