import ResIR

/// Element type conversions of constants, done once at compile time so that the plan stores each constant in
/// the type its kernel reads (an f16 weight of an f32-computed convolution, int32 Gather indices).
///
/// Conversions follow ONNX's Cast: floats round to nearest, floats to integers truncate toward zero (and
/// saturate), integers convert exactly where the target can hold them, anything to bool is `value != 0`.
enum ConstantConversion {
  static func converted(_ constant: Constant, to dtype: DType) -> Constant {
    guard dtype != constant.dtype else { return constant }
    if dtype.isInteger && constant.dtype.isInteger {
      // Through Int64, not Double: int64 values above 2^53 must survive.
      return Constant(dtype: dtype, dims: constant.dims, bytes: integerBytes(constant.integers(), as: dtype))
    }
    return Constant(dtype: dtype, dims: constant.dims, doubles: constant.doubles())
  }

  /// Integer values stored as `dtype`, wrapping to its width as C's conversions do.
  static func integerBytes(_ values: [Int], as dtype: DType) -> TensorBytes {
    switch dtype {
    case .int64: TensorBytes(copyingScalars: values.map { Int64($0) })
    case .int32: TensorBytes(copyingScalars: values.map { Int32(truncatingIfNeeded: $0) })
    case .int8: TensorBytes(copyingScalars: values.map { Int8(truncatingIfNeeded: $0) })
    case .uint8: TensorBytes(copyingScalars: values.map { UInt8(truncatingIfNeeded: $0) })
    case .bool: TensorBytes(copyingScalars: values.map { $0 != 0 ? UInt8(1) : UInt8(0) })
    case .float32: TensorBytes(copyingScalars: values.map { Float($0) })
    case .float16: TensorBytes(copyingScalars: values.map { Float16(Float($0)).bitPattern })
    case .float64: TensorBytes(copyingScalars: values.map { Double($0) })
    }
  }

  /// A one-element constant (rank 0) of `dtype` holding `value`.
  static func scalar(_ value: Double, _ dtype: DType) -> Constant {
    Constant(dtype: dtype, dims: [], doubles: [value])
  }
}
