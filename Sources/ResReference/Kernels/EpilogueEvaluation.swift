import ResIR

/// The part of an epilogue that is the same for Conv, Gemm and MatMul: after the op has added its bias
/// operand, the residual is added, then the activation is applied (DESIGN.md: bias, residual, activation).
enum EpilogueEvaluation {
  /// Applies the residual add and the activation to `values`, the op's unrounded result of `shape`.
  static func finish(
    _ values: inout [Double], shape: [Int], epilogue: Epilogue, residual: ReferenceTensor?, dtype: DType
  ) throws(EvaluationFailure) {
    if epilogue.residual {
      guard let residual else {
        throw EvaluationFailure("the epilogue adds a residual, but the residual operand (slot 3) is absent")
      }
      try residual.requireDType("the residual", dtype)
      guard residual.shape == shape else {
        throw EvaluationFailure(
          "the residual has shape \(ShapeArithmetic.describe(residual.shape)), but the output has "
            + "\(ShapeArithmetic.describe(shape)); a residual must match the output exactly")
      }
      let skip = try residual.floatValues("the residual")
      for i in values.indices { values[i] += skip[i] }
    }
    if let activation = epilogue.activation {
      for i in values.indices { values[i] = activation.apply(values[i]) }
    }
  }
}
