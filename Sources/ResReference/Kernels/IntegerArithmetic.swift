/// Integer semantics of the binary ops, as ONNX's reference implementation (numpy) defines them, on int64
/// values that the caller then wraps to the operands' width.
///
/// - Add, Sub, Mul wrap around (two's complement), as numpy and C do; they never trap.
/// - Div truncates toward zero, like C (ONNX's reference adjusts numpy's floor division to do exactly this).
/// - Mod with `fmod = 0` takes the sign of the divisor (numpy's `mod`, Python's `%`); with `fmod = 1` the sign
///   of the dividend (C's `%`).
/// - A zero divisor in Div or Mod is an error in the model's data, reported rather than trapped.
/// - Pow with a non-negative exponent multiplies exactly (wrapping); with a negative one it is what
///   `1 / base^−e` truncated toward zero gives: 1 for a base of 1, ±1 for −1, 0 otherwise, and an error for 0.
enum IntegerArithmetic {
  static func divide(_ a: Int64, _ b: Int64) throws(EvaluationFailure) -> Int64 {
    guard b != 0 else { throw EvaluationFailure("integer division by zero") }
    return a.dividedReportingOverflow(by: b).partialValue
  }

  static func modulo(_ a: Int64, _ b: Int64, fmod: Bool) throws(EvaluationFailure) -> Int64 {
    guard b != 0 else { throw EvaluationFailure("integer modulo by zero") }
    let remainder = a.remainderReportingOverflow(dividingBy: b).partialValue
    if fmod || remainder == 0 || (remainder < 0) == (b < 0) { return remainder }
    return remainder &+ b
  }

  static func power(_ base: Int64, _ exponent: Int64) throws(EvaluationFailure) -> Int64 {
    if exponent < 0 {
      switch base {
      case 0: throw EvaluationFailure("0 raised to a negative integer power")
      case 1: return 1
      case -1: return exponent % 2 == 0 ? 1 : -1
      default: return 0
      }
    }
    var result: Int64 = 1
    var square = base
    var remaining = exponent
    while remaining > 0 {
      if remaining & 1 == 1 { result = result &* square }
      square = square &* square
      remaining >>= 1
    }
    return result
  }
}
