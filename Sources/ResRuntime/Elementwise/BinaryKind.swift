import ResPlan

/// The operation of a `binary` step, with the element types it accepts.
enum BinaryKind: String, Sendable, CaseIterable {
  case add, sub, mul, div, pow, mod, fmod, equal, max, min, less, lessOrEqual, greater, greaterOrEqual, prelu

  init(_ kind: Rescompile_Plan_BinaryParams.Kind, _ operands: StepOperands) throws(RuntimeError) {
    switch kind {
    case .add: self = .add
    case .sub: self = .sub
    case .mul: self = .mul
    case .div: self = .div
    case .pow: self = .pow
    case .mod: self = .mod
    case .fmod: self = .fmod
    case .equal: self = .equal
    case .max: self = .max
    case .min: self = .min
    case .less: self = .less
    case .lessOrEqual: self = .lessOrEqual
    case .greater: self = .greater
    case .greaterOrEqual: self = .greaterOrEqual
    case .prelu: self = .prelu
    case .UNRECOGNIZED(let raw): throw operands.failure("binary kind \(raw) is unknown to this runtime")
    }
  }

  /// Numeric types take every operation but PRELU (floats only); bool takes EQUAL, MAX (or) and MIN (and).
  func accepts(_ type: ElementType) -> Bool {
    switch type {
    case .f32, .f64, .f16: true
    case .i64, .i32, .i8, .u8: self != .prelu
    case .bool: self == .equal || self == .max || self == .min
    }
  }

  /// Whether Y is bool: EQUAL and the comparisons.
  var producesBool: Bool {
    switch self {
    case .equal, .less, .lessOrEqual, .greater, .greaterOrEqual: true
    case .add, .sub, .mul, .div, .pow, .mod, .fmod, .max, .min, .prelu: false
    }
  }

  /// A bool-producing kind's test of two values (IEEE for floats: false whenever a NaN is involved, except that
  /// NaN is not equal to itself either).
  func test<T: Comparable>(_ a: T, _ b: T) -> Bool {
    switch self {
    case .less: a < b
    case .lessOrEqual: a <= b
    case .greater: a > b
    case .greaterOrEqual: a >= b
    case .equal: a == b
    case .add, .sub, .mul, .div, .pow, .mod, .fmod, .max, .min, .prelu:
      preconditionFailure("\(rawValue) does not produce bool")
    }
  }
}

/// Element arithmetic of the scalar (non-microkernel) binary paths, with ONNX's reference semantics:
/// integers wrap on overflow, integer DIV truncates toward zero, MOD takes the divisor's sign (Python), FMOD
/// the dividend's (C); integer division or remainder by zero gives 0 instead of trapping. Floats follow
/// numpy: MOD of floats is `np.mod`, MAX and MIN propagate NaN.
protocol BinaryElement: BitwiseCopyable {
  static func combine(_ kind: BinaryKind, _ a: Self, _ b: Self) -> Self
  /// EQUAL or a comparison of two elements.
  static func test(_ kind: BinaryKind, _ a: Self, _ b: Self) -> Bool
}

extension BinaryElement where Self: FixedWidthInteger {
  static func combine(_ kind: BinaryKind, _ a: Self, _ b: Self) -> Self {
    switch kind {
    case .add: return a &+ b
    case .sub: return a &- b
    case .mul: return a &* b
    case .div: return b == 0 ? 0 : a.dividedReportingOverflow(by: b).partialValue
    case .fmod: return b == 0 ? 0 : a.remainderReportingOverflow(dividingBy: b).partialValue
    case .mod:
      guard b != 0 else { return 0 }
      let remainder = a.remainderReportingOverflow(dividingBy: b).partialValue
      return remainder != 0 && (remainder < 0) != (b < 0) ? remainder &+ b : remainder
    case .pow: return power(a, b)
    case .max: return Swift.max(a, b)
    case .min: return Swift.min(a, b)
    case .prelu: return a < 0 ? a &* b : a
    case .equal, .less, .lessOrEqual, .greater, .greaterOrEqual: return kind.test(a, b) ? 1 : 0
    }
  }

  static func test(_ kind: BinaryKind, _ a: Self, _ b: Self) -> Bool { kind.test(a, b) }

  /// `a^b` with wrapping multiplication; a negative exponent gives the truncated real result (0 unless
  /// `|a| = 1`).
  private static func power(_ base: Self, _ exponent: Self) -> Self {
    if exponent < 0 {
      if base == 1 { return 1 }
      if Self.isSigned && base == 0 &- 1 { return exponent & 1 == 0 ? 1 : base }
      return 0
    }
    var result: Self = 1
    var factor = base
    var remaining = exponent
    while remaining > 0 {
      if remaining & 1 == 1 { result = result &* factor }
      factor = factor &* factor
      remaining >>= 1
    }
    return result
  }
}

extension Int64: BinaryElement {}
extension Int32: BinaryElement {}
extension Int8: BinaryElement {}
extension UInt8: BinaryElement {}

extension Float: BinaryElement {
  static func combine(_ kind: BinaryKind, _ a: Float, _ b: Float) -> Float {
    Float(Double.combine(kind, Double(a), Double(b)))
  }

  static func test(_ kind: BinaryKind, _ a: Float, _ b: Float) -> Bool { kind.test(a, b) }
}

extension Double: BinaryElement {
  static func combine(_ kind: BinaryKind, _ a: Double, _ b: Double) -> Double {
    switch kind {
    case .add: return a + b
    case .sub: return a - b
    case .mul: return a * b
    case .div: return a / b
    case .pow: return LibM.pow(a, b)
    case .fmod: return LibM.fmod(a, b)
    case .mod:
      let remainder = LibM.fmod(a, b)
      return remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder
    case .max: return a.isNaN || b.isNaN ? .nan : Swift.max(a, b)
    case .min: return a.isNaN || b.isNaN ? .nan : Swift.min(a, b)
    case .prelu: return a < 0 ? a * b : a
    case .equal, .less, .lessOrEqual, .greater, .greaterOrEqual: return kind.test(a, b) ? 1 : 0
    }
  }

  static func test(_ kind: BinaryKind, _ a: Double, _ b: Double) -> Bool { kind.test(a, b) }
}

/// A bool element: any non-zero byte is true. Combined as the integers 0 and 1, so MAX is "or", MIN is
/// "and", and the result is always 0 or 1.
struct BoolByte: BinaryElement {
  var raw: UInt8

  private var normalized: UInt8 { raw == 0 ? 0 : 1 }

  static func combine(_ kind: BinaryKind, _ a: BoolByte, _ b: BoolByte) -> BoolByte {
    BoolByte(raw: UInt8.combine(kind, a.normalized, b.normalized))
  }

  static func test(_ kind: BinaryKind, _ a: BoolByte, _ b: BoolByte) -> Bool { kind.test(a.normalized, b.normalized) }
}
