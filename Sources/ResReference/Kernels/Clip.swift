import ResIR

/// ONNX Clip: `min(max(x, low), high)`, where an absent bound is no bound (and a `low` above `high` gives
/// `high`, as ONNX says). Bounds are one-element tensors of X's dtype. Integer tensors clip exactly.
enum Clip {
  static func evaluate(_ operands: NodeOperands) throws(EvaluationFailure) -> ReferenceTensor {
    let x = try operands.required(0, "input")
    let low = try operands.optional(1).map { bound throws(EvaluationFailure) in try check(bound, "min", x) }
    let high = try operands.optional(2).map { bound throws(EvaluationFailure) in try check(bound, "max", x) }
    switch x.storage {
    case .floating(let values):
      let (lowValue, highValue) = (low?.doubles[0] ?? -.infinity, high?.doubles[0] ?? .infinity)
      let clipped = values.map { ScalarFunctions.clip($0, low: lowValue, high: highValue) }
      return ReferenceTensor(dtype: x.dtype, shape: x.shape, storage: .floating(clipped))
    case .integral(let values):
      guard x.dtype != .bool else { throw EvaluationFailure("input must be numeric, not bool") }
      let (lowValue, highValue) = (low?.integers[0] ?? .min, high?.integers[0] ?? .max)
      let clipped = values.map { Swift.min(Swift.max($0, lowValue), highValue) }
      return ReferenceTensor(dtype: x.dtype, shape: x.shape, storage: .integral(clipped))
    }
  }

  private static func check(_ bound: ReferenceTensor, _ role: String, _ x: ReferenceTensor)
    throws(EvaluationFailure) -> ReferenceTensor
  {
    try bound.requireDType(role, x.dtype)
    _ = try bound.scalarValue(role)
    return bound
  }
}
