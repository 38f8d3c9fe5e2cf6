import ResIR

/// How close an exporter's constant must be to a mathematical constant (√2, √(2/π), 0.044715) for a
/// decomposition to be recognized: 1e-5 relative — room for float32 rounding and for constants written with
/// seven significant digits — or 2e-3 in a float16 model, a few half-precision ulps; or, in any model, exactly
/// the constant rounded to float16: a float16 model computed in float32 (`promote-float16`, the default)
/// carries its constants widened from float16. A looser match would replace a different function by GELU.
enum ConstantTolerance {
  static func matches(_ value: Double, _ expected: Double, dtype: DType) -> Bool {
    let tolerance = dtype == .float16 ? 2e-3 : 1e-5
    return abs(value - expected) <= tolerance * abs(expected) || value == Double(Float16(expected))
  }
}
