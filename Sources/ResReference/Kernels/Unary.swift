import ResIR

/// The elementwise ops of one operand. All take float tensors; Relu, Abs and Neg also take signed integers, as
/// ONNX allows (Abs and Neg of the type's minimum wrap to itself, as in C and numpy).
enum Unary {
  static func evaluate(_ operands: NodeOperands, _ op: UnaryOp) throws(EvaluationFailure) -> ReferenceTensor {
    let x = try operands.required(0, "X")
    if case .integral(let values) = x.storage, x.dtype.isInteger, let integer = integerFunction(op) {
      return ReferenceTensor(dtype: x.dtype, shape: x.shape, integers: values.map(integer))
    }
    let input = try x.floatValues("X")
    return ReferenceTensor(dtype: x.dtype, shape: x.shape, doubles: input.map(op.apply))
  }

  /// The integer form of the ops that have one.
  private static func integerFunction(_ op: UnaryOp) -> ((Int64) -> Int64)? {
    switch op {
    case .relu: { max($0, 0) }
    case .abs: { $0 < 0 ? 0 &- $0 : $0 }
    case .neg: { 0 &- $0 }
    case .sigmoid, .tanh, .erf, .sqrt, .hardSwish, .leakyRelu, .hardSigmoid, .gelu, .exp, .log, .ceil, .floor, .round,
      .reciprocal, .sin, .cos, .softplus, .mish, .elu:
      nil
    }
  }
}
