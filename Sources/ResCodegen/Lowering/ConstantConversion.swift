import ResIR
import ResReference

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
      let values = constant.integers().map { Int64($0) }
      return Constant(dtype: dtype, dims: constant.dims, bytes: Constant.integerBytes(values, as: dtype))
    }
    return Constant(dtype: dtype, dims: constant.dims, doubles: constant.doubles())
  }

  /// A one-element constant (rank 0) of `dtype` holding `value`.
  static func scalar(_ value: Double, _ dtype: DType) -> Constant {
    Constant(dtype: dtype, dims: [], doubles: [value])
  }
}
