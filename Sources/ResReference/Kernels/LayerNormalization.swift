import ResIR

/// ONNX LayerNormalization: each slice `X[i₀, …, i_{axis−1}, :, …, :]` is normalized by its own mean and
/// variance (population variance, accumulated in `Double`), then scaled and shifted by `Scale` and `B`, which
/// broadcast onto the normalized shape `X.shape[axis...]`.
///
/// Results: Y (X's dtype), Mean and InvStdDev (X's shape with the normalized axes set to 1). ONNX types the
/// statistics by `stash_type`, whose default (and the only value the IR carries) is float32, so they are f32
/// whatever X is, as ONNX's shape inference says.
///
/// With a fused residual (`attributes.residual`, operand slot 3 of X's dtype and shape), X + residual is
/// normalized instead of X. The sum is rounded to X's dtype, exactly as the Add the fusion replaced produced
/// it, so fusing an Add into a LayerNormalization changes no value the evaluator computes.
enum LayerNormalization {
  static let statisticsType = DType.float32

  static func evaluate(_ operands: NodeOperands, _ attributes: LayerNormAttributes) throws(EvaluationFailure)
    -> [ReferenceTensor]
  {
    let x = try operands.required(0, "X")
    let input = try normalizedInput(x, operands, attributes)
    let axis = try ShapeArithmetic.axis(attributes.axis, rank: x.rank)
    let scale = try broadcastParameter(operands.required(1, "Scale"), "Scale", onto: x, axis: axis)
    let bias = try operands.optional(2).map { tensor throws(EvaluationFailure) in
      try broadcastParameter(tensor, "B", onto: x, axis: axis)
    }
    let rowLength = x.shape[axis...].reduce(1, *)
    let rows = x.shape[..<axis].reduce(1, *)
    var output = [Double](repeating: 0, count: input.count)
    var means = [Double](repeating: 0, count: rows)
    var inverseDeviations = [Double](repeating: 0, count: rows)
    for row in 0..<rows {
      let slice = (row * rowLength)..<((row + 1) * rowLength)
      let mean = slice.reduce(0.0) { $0 + input[$1] } / Double(rowLength)
      let variance = slice.reduce(0.0) { $0 + (input[$1] - mean) * (input[$1] - mean) } / Double(rowLength)
      let inverseDeviation = 1 / (variance + Double(attributes.epsilon)).squareRoot()
      for i in slice {
        output[i] = (input[i] - mean) * inverseDeviation * scale[i] + (bias?[i] ?? 0)
      }
      means[row] = mean
      inverseDeviations[row] = inverseDeviation
    }
    let statisticsShape = Array(x.shape[..<axis]) + Array(repeating: 1, count: x.rank - axis)
    return [
      ReferenceTensor(dtype: x.dtype, shape: x.shape, doubles: output),
      ReferenceTensor(dtype: statisticsType, shape: statisticsShape, doubles: means),
      ReferenceTensor(dtype: statisticsType, shape: statisticsShape, doubles: inverseDeviations),
    ]
  }

  /// X's values, or those of X + residual (rounded to X's dtype) when the residual is fused.
  private static func normalizedInput(
    _ x: ReferenceTensor, _ operands: NodeOperands, _ attributes: LayerNormAttributes
  ) throws(EvaluationFailure) -> [Double] {
    let values = try x.floatValues("X")
    guard attributes.residual else { return values }
    let residual = try operands.required(Op.residualSlot, "residual")
    try residual.requireDType("the residual", x.dtype)
    try residual.requireShape("the residual", x.shape)
    let skip = try residual.floatValues("the residual")
    return ReferenceTensor(dtype: x.dtype, shape: x.shape, doubles: zip(values, skip).map { $0 + $1 }).doubles
  }

  /// `Scale` or `B` expanded to one value per element of X. It must broadcast onto the normalized shape;
  /// broadcasting aligns trailing axes, so it then broadcasts onto X the same way.
  private static func broadcastParameter(
    _ tensor: ReferenceTensor, _ role: String, onto x: ReferenceTensor, axis: Int
  ) throws(EvaluationFailure) -> [Double] {
    try tensor.requireDType(role, x.dtype)
    let values = try tensor.floatValues(role)
    let normalized = Array(x.shape[axis...])
    guard Broadcasting.isUnidirectional(tensor.shape, to: normalized) else {
      throw EvaluationFailure(
        "\(role) has shape \(ShapeArithmetic.describe(tensor.shape)), which does not broadcast to the normalized "
          + "shape \(ShapeArithmetic.describe(normalized))")
    }
    return Broadcasting.sourceIndices(tensor.shape, to: x.shape).map { values[$0] }
  }
}
