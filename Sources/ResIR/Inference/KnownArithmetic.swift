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
  /// The element a float value stands for, when it is a whole number `dtype` holds exactly, or (in a float
  /// type) a fraction over a power of two that `held` accepts.
  static func element(_ value: Double, as dtype: DType) -> Monomial? {
    guard value.isFinite else { return nil }
    var denominator = 1
    while value * Double(denominator) != (value * Double(denominator)).rounded() {
      guard dtype.isFloatingPoint, denominator < 1 << 24 else { return nil }
      denominator <<= 1
    }
    // The bounds keep the conversion to Int from trapping; `held` then applies the type's own range.
    let scaled = value * Double(denominator)
    guard scaled > -0x1p63, scaled < 0x1p63, let element = Monomial(numerator: Int(scaled), denominator: denominator)
    else { return nil }
    return held(element, by: dtype) ? element : nil
  }

  /// Whether `dtype` holds `value` exactly. Symbolic sizes live in int64 (and the int32 they are often cast
  /// to); no other type is known to hold them. A fraction `p / 2ᵏ` lives in float types whose significand
  /// holds `p` and whose exponent reaches `2⁻ᵏ` (the same bound: `2ᵏ` within the exact whole numbers).
  static func held(_ value: Monomial, by dtype: DType) -> Bool {
    if let (numerator, denominator) = value.fraction, denominator > 1 {
      let exact = dtype.exactWholeNumbers
      return dtype.isFloatingPoint && exact.contains(numerator) && denominator <= exact.upperBound
    }
    guard let number = value.constant else { return dtype == .int64 || dtype == .int32 }
    return dtype.exactWholeNumbers.contains(number)
  }

  /// The order of two numbers (fractions included): negative, zero or positive as `a` is below, equal to or
  /// above `b`; `nil` for symbols or when the comparison would overflow.
  static func order(_ a: Monomial, _ b: Monomial) -> Int? {
    guard let (p, q) = a.fraction, let (r, s) = b.fraction else { return a == b ? 0 : nil }
    let (left, overflowLeft) = p.multipliedReportingOverflow(by: s)
    let (right, overflowRight) = r.multipliedReportingOverflow(by: q)
    guard !overflowLeft, !overflowRight else { return nil }
    return left < right ? -1 : (left == right ? 0 : 1)
  }

  /// An elementwise binary op on two elements of type `operands`, producing type `result`.
  static func binary(_ op: BinaryOp, _ a: Monomial?, _ b: Monomial?, operands: DType, result: DType) -> Monomial? {
    guard let a, let b else { return nil }
    let value: Monomial?
    switch op {
    case .add: value = a.adding(b)
    case .sub: value = b.negated().flatMap { a.adding($0) }
    case .mul: value = a.multiplied(by: b)
    case .div: value = operands.isFloatingPoint ? floatQuotient(a, b, in: operands) : quotient(a, b)
    case .mod(let fmod): value = remainder(a, b, signOfDividend: fmod || operands.isFloatingPoint)
    case .pow: value = power(a, b)
    case .equal: value = provablyEqual(a, b).map { Monomial($0 ? 1 : 0) }
    case .compare(let comparison):
      value = order(a, b).map { Monomial(comparison.holds($0, 0) ? 1 : 0) }
    case .prelu: value = order(a, Monomial(0)).flatMap { $0 < 0 ? a.multiplied(by: b) : a }
    }
    return value.flatMap { held($0, by: result) ? $0 : nil }
  }

  /// The unary ops shape arithmetic uses on known elements (`ceil(H / stride)` for "same" padding): a known
  /// element is a whole number (`Monomial`), which Ceil, Floor and Round leave as it is; Neg, Abs and Relu
  /// of a plain number are numbers again, and so is Sqrt of a perfect square. Everything else is not tracked.
  static func unary(_ op: UnaryOp, _ value: Monomial) -> Monomial? {
    if let (numerator, denominator) = value.fraction, denominator > 1 {
      return unaryOfFraction(op, value, Double(numerator) / Double(denominator))
    }
    switch op {
    case .ceil, .floor, .round: return value
    case .neg: return value.negated()
    case .abs, .relu:
      guard let number = value.constant else { return op == .relu && value.isProvablyNonNegative ? value : nil }
      return op == .abs ? (number == Int.min ? nil : Monomial(Swift.abs(number))) : Monomial(Swift.max(number, 0))
    case .sqrt: return value.constant.flatMap(exactSquareRoot)
    case .sigmoid, .tanh, .erf, .hardSwish, .leakyRelu, .hardSigmoid, .gelu, .exp, .log, .reciprocal, .sin,
      .cos, .softplus, .mish, .elu:
      return nil
    }
  }

  /// Rounding, sign and magnitude of a fraction (exact in a Double: numerator and denominator are below 2⁵³).
  private static func unaryOfFraction(_ op: UnaryOp, _ value: Monomial, _ number: Double) -> Monomial? {
    switch op {
    case .ceil: return Monomial(Int(number.rounded(.up)))
    case .floor: return Monomial(Int(number.rounded(.down)))
    case .round: return Monomial(Int(number.rounded(.toNearestOrEven)))
    case .neg: return value.negated()
    case .abs: return number < 0 ? value.negated() : value
    case .relu: return number < 0 ? Monomial(0) : value
    case .sigmoid, .tanh, .erf, .sqrt, .hardSwish, .leakyRelu, .hardSigmoid, .gelu, .exp, .log, .reciprocal, .sin,
      .cos, .softplus, .mish, .elu:
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
        value = extreme(known, largest: op == .max)
      }
    }
    return value.flatMap { held($0, by: dtype) ? $0 : nil }
  }

  /// The largest (or smallest) of numbers, fractions included; `nil` when any two are not comparable.
  static func extreme(_ values: [Monomial], largest: Bool) -> Monomial? {
    guard var best = values.first else { return nil }
    for value in values.dropFirst() {
      guard let comparison = order(value, best) else { return nil }
      if largest ? comparison > 0 : comparison < 0 { best = value }
    }
    return best
  }

  /// Cast: integers wrap into a narrower integer type as the runtime's conversion does; a float converts to
  /// an integer type only when the type holds it (out of range is undefined; a fraction truncates toward
  /// zero first), and an integer to a float type only when the float holds it exactly. Symbolic sizes stay
  /// symbolic in int64 and int32.
  static func converted(_ value: Monomial, from source: DType, to target: DType) -> Monomial? {
    if let (numerator, denominator) = value.fraction, denominator > 1, !target.isFloatingPoint {
      let truncated = Monomial(numerator / denominator)
      if target == .bool { return Monomial(1) }
      return held(truncated, by: target) ? truncated : nil
    }
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

  /// Integer division truncates toward zero, as the runtimes do; a symbolic quotient must be exact for every
  /// value of the symbols.
  private static func quotient(_ a: Monomial, _ b: Monomial) -> Monomial? {
    guard let x = a.constant, let y = b.constant else { return a.divided(exactlyBy: b) }
    guard y != 0 else { return nil }
    let (q, overflow) = x.dividedReportingOverflow(by: y)
    return overflow ? nil : Monomial(q)
  }

  /// Float division of numbers is tracked when the quotient is a whole number or a fraction over a power of
  /// two (`(p/q) / (r/s) = p·s / (q·r)` in lowest terms), else as the float the division rounds it to; a
  /// symbolic quotient must be exact.
  private static func floatQuotient(_ a: Monomial, _ b: Monomial, in dtype: DType) -> Monomial? {
    guard let (p, q) = a.fraction, let (r, s) = b.fraction else { return a.divided(exactlyBy: b) }
    guard r != 0, r != Int.min else { return nil }
    let (numerator, overflowNumerator) = p.multipliedReportingOverflow(by: r < 0 ? -s : s)
    let (denominator, overflowDenominator) = q.multipliedReportingOverflow(by: Swift.abs(r))
    guard !overflowNumerator, !overflowDenominator else { return nil }
    let divisor = greatestCommonDivisor(numerator.magnitude, UInt(denominator))
    let (top, bottom) = (numerator / Int(divisor), denominator / Int(divisor))
    return Monomial(numerator: top, denominator: bottom) ?? roundedQuotient(top, bottom, in: dtype)
  }

  /// `top / bottom` rounded to `dtype` as the division computes it, when the exact quotient (4 / 3) is no
  /// binary fraction: a trip count `ceil((limit - start) / delta)` (Range's expansion) is then still known.
  /// Both are below 2⁵³ in magnitude, so the Double quotient is correctly rounded, and rounding it again to
  /// float32 gives float32's correctly rounded quotient (53 ≥ 2 · 24 + 2 bits). Other float types: unknown.
  private static func roundedQuotient(_ top: Int, _ bottom: Int, in dtype: DType) -> Monomial? {
    guard top.magnitude < 1 << 53, bottom < 1 << 53 else { return nil }
    let quotient = Double(top) / Double(bottom)
    switch dtype {
    case .float64: return element(quotient, as: dtype)
    case .float32: return element(Double(Float(quotient)), as: dtype)
    default: return nil
    }
  }

  private static func greatestCommonDivisor(_ a: UInt, _ b: UInt) -> UInt {
    var (x, y) = (a, b)
    while y != 0 { (x, y) = (y, x % y) }
    return x
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
    if let (numerator, denominator) = exponent.fraction, numerator == 1, denominator == 2 {
      return base.constant.flatMap(exactSquareRoot)
    }
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

  /// The square root of a perfect square (`√N` of a square grid's `N` patches, as DINOv2's position embedding
  /// interpolation computes it with `Pow(N, 0.5)` or `Sqrt`): correctly rounded square roots, and the `pow`
  /// of every C library, return an exactly representable root exactly. Nil for anything else.
  static func exactSquareRoot(_ number: Int) -> Monomial? {
    guard number >= 0, number <= 1 << 53 else { return nil }
    let root = Int(Double(number).squareRoot().rounded())
    return root * root == number ? Monomial(root) : nil
  }

  /// Whether two elements are equal, when that is decidable: equal monomials are; different numbers are
  /// not; a size (never negative) is not a negative number, the `-1` that PyTorch's exports test for.
  private static func provablyEqual(_ a: Monomial, _ b: Monomial) -> Bool? {
    if a == b { return true }
    if a.fraction != nil && b.fraction != nil { return false }
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
