/// Arithmetic on known elements as the runtime does it in the tensor's element type, or `nil` wherever the
/// answer is not certain: a result the type does not hold exactly (integer overflow wraps at run time, a large
/// float rounds), a division by zero, a sum of different symbols.
///
/// Float tensors are tracked only in the elements that are whole numbers their type holds exactly (up to 2¹¹
/// for float16, 2²⁴ for float, 2⁵³ for double). In that range float addition, subtraction, multiplication
/// and whole-number division are exact, so integer arithmetic gives the runtime's answer.
///
/// Symbolic elements follow `Monomial`: sums of like terms, products, exact quotients, and comparisons that
/// sizes decide. Everything else about symbols (their maximum, a power, a remainder) is unknown.
enum KnownArithmetic {
  /// The element a float value stands for, when it is a whole number `dtype` holds exactly.
  static func element(_ value: Double, as dtype: DType) -> Monomial? {
    // The bounds keep the conversion to Int from trapping; `held` then applies the type's own range.
    guard value.isFinite, value == value.rounded(), value > -0x1p63, value < 0x1p63 else { return nil }
    let element = Monomial(Int(value))
    return held(element, by: dtype) ? element : nil
  }

  /// Whether `dtype` holds `value` exactly. Symbolic sizes live in int64 (and the int32 they are often cast
  /// to); no other type is known to hold them.
  static func held(_ value: Monomial, by dtype: DType) -> Bool {
    guard let number = value.constant else { return dtype == .int64 || dtype == .int32 }
    return dtype.exactWholeNumbers.contains(number)
  }

  /// An elementwise binary op on two elements of type `operands`, producing type `result`.
  static func binary(_ op: BinaryOp, _ a: Monomial?, _ b: Monomial?, operands: DType, result: DType) -> Monomial? {
    guard let a, let b else { return nil }
    let value: Monomial?
    switch op {
    case .add: value = a.adding(b)
    case .sub: value = b.negated().flatMap { a.adding($0) }
    case .mul: value = a.multiplied(by: b)
    case .div: value = quotient(a, b, wholeNumbersOnly: operands.isFloatingPoint)
    case .mod(let fmod): value = remainder(a, b, signOfDividend: fmod || operands.isFloatingPoint)
    case .pow: value = power(a, b)
    case .equal: value = provablyEqual(a, b).map { Monomial($0 ? 1 : 0) }
    case .compare(let comparison):
      value = a.constant.flatMap { x in b.constant.map { Monomial(comparison.holds(x, $0) ? 1 : 0) } }
    }
    return value.flatMap { held($0, by: result) ? $0 : nil }
  }

  /// The unary ops shape arithmetic uses on known elements (`ceil(H / stride)` for "same" padding): a known
  /// element is a whole number (`Monomial`), which Ceil, Floor and Round leave as it is; Neg, Abs and Relu
  /// of a plain number are numbers again. Everything else is not tracked.
  static func unary(_ op: UnaryOp, _ value: Monomial) -> Monomial? {
    switch op {
    case .ceil, .floor, .round: return value
    case .neg: return value.negated()
    case .abs, .relu:
      guard let number = value.constant else { return op == .relu && value.isProvablyNonNegative ? value : nil }
      return op == .abs ? (number == Int.min ? nil : Monomial(Swift.abs(number))) : Monomial(Swift.max(number, 0))
    case .sigmoid, .tanh, .erf, .sqrt, .hardSwish, .leakyRelu, .hardSigmoid, .gelu, .exp, .log, .reciprocal, .sin,
      .cos, .softplus, .elu:
      return nil
    }
  }

  /// Sum, Max or Min of every operand's element.
  static func variadic(_ op: VariadicOp, _ values: [Monomial?], dtype: DType) -> Monomial? {
    var known: [Monomial] = []
    for value in values {
      guard let value else { return nil }
      known.append(value)
    }
    guard let first = known.first else { return nil }
    let value: Monomial?
    switch op {
    case .sum:
      value = known.dropFirst().reduce(first as Monomial?) { total, next in total?.adding(next) }
    case .max, .min:
      if known.allSatisfy({ $0 == first }) {
        value = first
      } else {
        let numbers = known.compactMap(\.constant)
        guard numbers.count == known.count else { return nil }
        value = (op == .max ? numbers.max() : numbers.min()).map { Monomial($0) }
      }
    }
    return value.flatMap { held($0, by: dtype) ? $0 : nil }
  }

  /// Cast: integers wrap into a narrower integer type as the runtime's conversion does; a float converts to
  /// an integer type only when the type holds it (out of range is undefined), and an integer to a float type
  /// only when the float holds it exactly. Symbolic sizes stay symbolic in int64 and int32.
  static func converted(_ value: Monomial, from source: DType, to target: DType) -> Monomial? {
    guard let number = value.constant else { return held(value, by: target) ? value : nil }
    switch target {
    case .bool: return Monomial(number != 0 ? 1 : 0)
    case .float16, .float32, .float64: return held(value, by: target) ? value : nil
    case .int64, .int32, .int8, .uint8:
      if source.isFloatingPoint { return held(value, by: target) ? value : nil }
      return Monomial(wrapped(number, to: target))
    }
  }

  // MARK: - The operations

  /// Division: integers truncate toward zero, as the runtimes do; floats are tracked only when the quotient
  /// is a whole number; a symbolic quotient must be exact for every value of the symbols.
  private static func quotient(_ a: Monomial, _ b: Monomial, wholeNumbersOnly: Bool) -> Monomial? {
    guard let x = a.constant, let y = b.constant else { return a.divided(exactlyBy: b) }
    guard y != 0 else { return nil }
    let (q, overflow) = x.dividedReportingOverflow(by: y)
    let (r, _) = x.remainderReportingOverflow(dividingBy: y)
    guard !overflow, !wholeNumbersOnly || r == 0 else { return nil }
    return Monomial(q)
  }

  /// ONNX's Mod: with `fmod` (and always for floats) the remainder takes the dividend's sign, like C's `%`;
  /// otherwise the divisor's, like Python's.
  private static func remainder(_ a: Monomial, _ b: Monomial, signOfDividend: Bool) -> Monomial? {
    guard let x = a.constant, let y = b.constant, y != 0 else { return nil }
    let (r, overflow) = x.remainderReportingOverflow(dividingBy: y)
    guard !overflow else { return nil }
    if signOfDividend || r == 0 || (r < 0) == (y < 0) { return Monomial(r) }
    return Monomial(r + y)
  }

  /// A whole-number power with a non-negative exponent. Runtimes compute Pow in double precision, so results
  /// beyond 2⁵³ are not certain.
  private static func power(_ base: Monomial, _ exponent: Monomial) -> Monomial? {
    guard let x = base.constant, let n = exponent.constant, n >= 0 else { return nil }
    var result = 1
    var remaining = n
    while remaining > 0 {
      guard result.magnitude <= 1 << 53 else { return nil }
      let (product, overflow) = result.multipliedReportingOverflow(by: x)
      guard !overflow else { return nil }
      result = product
      remaining -= 1
      if result == 0 || result == 1 { break }
      if result == -1 { return Monomial(remaining % 2 == 0 ? -1 : 1) }
    }
    return result.magnitude <= 1 << 53 ? Monomial(result) : nil
  }

  /// Whether two elements are equal, when that is decidable: equal monomials are; different numbers are
  /// not; a size (never negative) is not a negative number, the `-1` that PyTorch's exports test for.
  private static func provablyEqual(_ a: Monomial, _ b: Monomial) -> Bool? {
    if a == b { return true }
    if a.constant != nil && b.constant != nil { return false }
    if let x = a.constant, x < 0, b.isProvablyNonNegative { return false }
    if let y = b.constant, y < 0, a.isProvablyNonNegative { return false }
    return nil
  }

  /// An integer converted to a narrower integer type, keeping the low bits.
  private static func wrapped(_ number: Int, to dtype: DType) -> Int {
    switch dtype {
    case .int32: Int(Int32(truncatingIfNeeded: number))
    case .int8: Int(Int8(truncatingIfNeeded: number))
    case .uint8: Int(UInt8(truncatingIfNeeded: number))
    case .int64, .bool, .float16, .float32, .float64: number
    }
  }
}

extension DType {
  /// The whole numbers the type holds exactly: its range for integers, 0 and 1 for bool, and for floats the
  /// range in which every whole number is representable (2 to the power of the significand's bits).
  var exactWholeNumbers: ClosedRange<Int> {
    switch self {
    case .int64: Int.min...Int.max
    case .int32: Int(Int32.min)...Int(Int32.max)
    case .int8: Int(Int8.min)...Int(Int8.max)
    case .uint8: 0...Int(UInt8.max)
    case .bool: 0...1
    case .float16: -(1 << 11)...(1 << 11)
    case .float32: -(1 << 24)...(1 << 24)
    case .float64: -(1 << 53)...(1 << 53)
    }
  }
}
