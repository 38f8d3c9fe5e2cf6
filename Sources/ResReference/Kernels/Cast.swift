import ResIR

/// ONNX Cast, with the conversions of `ElementConversion`:
/// - to a float type: round to nearest even (f16 overflows to infinity);
/// - float to an integer type: truncate toward zero, saturate out-of-range values, NaN becomes 0;
/// - integer to a narrower integer type: keep the low bits (300 → uint8 is 44), as C and numpy do;
/// - to bool: `value != 0` (NaN is true).
enum Cast {
  static func evaluate(_ operands: NodeOperands, to dtype: DType) throws(EvaluationFailure) -> ReferenceTensor {
    let x = try operands.required(0, "input")
    switch x.storage {
    case .floating(let values): return ReferenceTensor(dtype: dtype, shape: x.shape, doubles: values)
    case .integral(let values): return ReferenceTensor(dtype: dtype, shape: x.shape, integers: values)
    }
  }
}
