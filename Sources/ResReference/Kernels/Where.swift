import ResIR

/// ONNX Where: `condition ? X : Y` elementwise, the three operands broadcast together.
enum Where {
  static func evaluate(_ operands: NodeOperands) throws(EvaluationFailure) -> ReferenceTensor {
    let condition = try operands.required(0, "condition")
    let x = try operands.required(1, "X")
    let y = try operands.required(2, "Y")
    guard condition.dtype == .bool else {
      throw EvaluationFailure("condition must be bool, not \(condition.dtype.rawValue)")
    }
    try y.requireDType("Y", x.dtype)
    let shape = try Broadcasting.shape([condition.shape, x.shape, y.shape])
    _ = try ShapeArithmetic.elementCount(shape)
    let flags = condition.integers
    let pick = Broadcasting.sourceIndices(condition.shape, to: shape)
    let fromX = Broadcasting.sourceIndices(x.shape, to: shape)
    let fromY = Broadcasting.sourceIndices(y.shape, to: shape)
    // Concatenate X and Y so that one gather picks from either.
    let both = ReferenceTensor.concatenating([x, y], dtype: x.dtype, shape: [x.elementCount + y.elementCount])
    let indices = pick.indices.map { flags[pick[$0]] != 0 ? fromX[$0] : x.elementCount + fromY[$0] }
    return both.gathering(indices, shape: shape)
  }
}
