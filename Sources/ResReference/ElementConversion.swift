import ResIR

/// How a value becomes a value of a dtype: the rounding and conversion rules every op result goes through.
///
/// The evaluator computes in `Double` and rounds each op's results once to the result's dtype, so it behaves
/// like a float32 (or float16) implementation that accumulates exactly, not like a float64 one: a kernel test
/// that compares against it sees only the kernel's own rounding.
enum ElementConversion {
  /// `x` rounded to the nearest value of a float `dtype` (ties to even; f16 overflows to infinity as IEEE
  /// says). Integer dtypes are not float dtypes: callers use `integer(from:to:)` for them.
  static func rounded(_ x: Double, to dtype: DType) -> Double {
    switch dtype {
    case .float32: Double(Float(x))
    case .float16: Double(Float16(x))
    case .float64, .int64, .int32, .int8, .uint8, .bool: x
    }
  }

  static func rounded(_ values: [Double], to dtype: DType) -> [Double] {
    switch dtype {
    case .float32: values.map { Double(Float($0)) }
    case .float16: values.map { Double(Float16($0)) }
    case .float64, .int64, .int32, .int8, .uint8, .bool: values
    }
  }

  /// A float converted to an integer or bool dtype, as `Cast` does: bool is `x != 0` (NaN is true, as in
  /// numpy); integers truncate toward zero and saturate at the type's range, and NaN becomes 0. C leaves
  /// out-of-range conversions undefined; saturating is the one answer that cannot trap.
  static func integer(from x: Double, to dtype: DType) -> Int64 {
    if dtype == .bool { return x != 0 ? 1 : 0 }
    guard !x.isNaN else { return 0 }
    let range = integerRange(dtype)
    let truncated = x.rounded(.towardZero)
    // Int64's bounds are not exact doubles: compare in Double and clamp before converting.
    if truncated <= Double(range.lowerBound) { return range.lowerBound }
    if truncated >= Double(range.upperBound) { return range.upperBound }
    return Int64(truncated)
  }

  /// An int64 value reduced to an integer dtype's width, keeping the low bits as C's casts and numpy do
  /// (300 as uint8 is 44); bool is `x != 0`; float dtypes round.
  static func wrapped(_ x: Int64, to dtype: DType) -> Int64 {
    switch dtype {
    case .int64: x
    case .int32: Int64(Int32(truncatingIfNeeded: x))
    case .int8: Int64(Int8(truncatingIfNeeded: x))
    case .uint8: Int64(UInt8(truncatingIfNeeded: x))
    case .bool: x != 0 ? 1 : 0
    case .float32, .float16, .float64: x
    }
  }

  static func wrapped(_ values: [Int64], to dtype: DType) -> [Int64] {
    dtype == .int64 ? values : values.map { wrapped($0, to: dtype) }
  }

  /// The values an integer dtype can hold (bool: 0...1).
  static func integerRange(_ dtype: DType) -> ClosedRange<Int64> {
    switch dtype {
    case .int64, .float32, .float16, .float64: Int64.min...Int64.max
    case .int32: Int64(Int32.min)...Int64(Int32.max)
    case .int8: Int64(Int8.min)...Int64(Int8.max)
    case .uint8: 0...Int64(UInt8.max)
    case .bool: 0...1
    }
  }
}
