/// The four float64 operations `BinaryOperator` runs as typed loops, one per operand-stride pattern (a scalar
/// operand has stride 0 along the row), so the compiler vectorizes each.
enum DoubleArithmetic {
  case add, sub, mul, div

  /// Nil for the kinds the generic element loop keeps (powers, remainders, comparisons, PRelu...).
  init?(_ kind: BinaryKind) {
    switch kind {
    case .add: self = .add
    case .sub: self = .sub
    case .mul: self = .mul
    case .div: self = .div
    case .pow, .mod, .fmod, .equal, .max, .min, .less, .lessOrEqual, .greater, .greaterOrEqual, .prelu: return nil
    }
  }

  /// `y[i] = a[i·aStride] ∘ b[i·bStride]` for `i < count`.
  func run(
    _ a: UnsafePointer<Double>, _ aStride: Int, _ b: UnsafePointer<Double>, _ bStride: Int,
    _ y: UnsafeMutablePointer<Double>, count: Int
  ) {
    switch self {
    case .add: Self.combine(a, aStride, b, bStride, y, count) { $0 + $1 }
    case .sub: Self.combine(a, aStride, b, bStride, y, count) { $0 - $1 }
    case .mul: Self.combine(a, aStride, b, bStride, y, count) { $0 * $1 }
    case .div: Self.combine(a, aStride, b, bStride, y, count) { $0 / $1 }
    }
  }

  @inline(__always)
  private static func combine(
    _ a: UnsafePointer<Double>, _ aStride: Int, _ b: UnsafePointer<Double>, _ bStride: Int,
    _ y: UnsafeMutablePointer<Double>, _ count: Int, _ operation: (Double, Double) -> Double
  ) {
    switch (aStride, bStride) {
    case (1, 1): for i in 0..<count { y[i] = operation(a[i], b[i]) }
    case (1, 0):
      let right = b[0]
      for i in 0..<count { y[i] = operation(a[i], right) }
    case (0, 1):
      let left = a[0]
      for i in 0..<count { y[i] = operation(left, b[i]) }
    default: for i in 0..<count { y[i] = operation(a[i * aStride], b[i * bStride]) }
    }
  }
}
