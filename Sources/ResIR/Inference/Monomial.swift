/// An integer of the form `coefficient × s₁ × s₂ × ⋯`: a number times a product of symbolic sizes.
///
/// Shape inference needs products of dimensions (Flatten, Reshape's `-1`, element counts) and the integer
/// arithmetic that PyTorch exports compute from `Shape` (`Mul`, `Div`). With a symbolic batch those are
/// products of symbols and numbers, never sums of different symbols, so a monomial keeps them exact:
/// `[N,512,1,1]` has `512·N` elements, and dividing that by 512 gives back exactly `N`. Anything a monomial
/// cannot express (a sum of different symbols, an overflow) is reported as `nil` and becomes an unknown
/// dimension.
///
/// A number without symbols may also be a dyadic fraction `coefficient / denominator` (the denominator a power
/// of two): "same" padding halves an odd total in float (`pad / 2`) before casting to an integer, and such
/// halves are exact in every float type, so the runtime's float arithmetic agrees with the fraction's.
struct Monomial: Hashable, Sendable {
  let coefficient: Int
  /// The symbolic factors, sorted, with repetition (`N·N` is `["N", "N"]`). Empty when the coefficient is 0,
  /// so that every zero compares equal.
  let symbols: [String]
  /// A power of two; above 1 only for a number without symbols, and then the coefficient is odd (the fraction
  /// is in lowest terms), so equal values compare equal.
  let denominator: Int

  init(_ value: Int) {
    coefficient = value
    symbols = []
    denominator = 1
  }

  init(symbol: String) {
    coefficient = 1
    symbols = [symbol]
    denominator = 1
  }

  /// `numerator / denominator` in lowest terms; `nil` unless the denominator is a positive power of two.
  init?(numerator: Int, denominator: Int) {
    guard denominator > 0, denominator & (denominator - 1) == 0 else { return nil }
    let shift = min(numerator == 0 ? 63 : numerator.trailingZeroBitCount, denominator.trailingZeroBitCount)
    coefficient = numerator >> shift
    symbols = []
    self.denominator = denominator >> shift
  }

  private init(coefficient: Int, sortedSymbols: [String]) {
    self.coefficient = coefficient
    self.symbols = coefficient == 0 ? [] : sortedSymbols
    denominator = 1
  }

  /// The monomial a dimension stands for; `nil` for an unknown dimension.
  init?(_ dim: Dim) {
    switch dim {
    case .known(let v): self.init(v)
    case .symbol(let s): self.init(symbol: s)
    case .unknown: return nil
    }
  }

  /// The value, when it is a whole number (no symbol, no fraction).
  var constant: Int? { symbols.isEmpty && denominator == 1 ? coefficient : nil }

  /// The value as a fraction, when it involves no symbol (whole numbers have denominator 1).
  var fraction: (numerator: Int, denominator: Int)? { symbols.isEmpty ? (coefficient, denominator) : nil }

  /// The dimension this monomial spells: a number, a single symbol, or `unknown` for anything else
  /// (`64·N` and fractions have no `Dim` spelling).
  var dim: Dim {
    if denominator != 1 { return .unknown }
    if symbols.isEmpty { return .known(coefficient) }
    if coefficient == 1 && symbols.count == 1 { return .symbol(symbols[0]) }
    return .unknown
  }

  /// Whether the value is certainly ≥ 0: symbols are sizes, so a non-negative coefficient suffices.
  var isProvablyNonNegative: Bool { coefficient >= 0 }

  /// The product, or `nil` when the coefficient overflows (or a fraction meets a symbol).
  func multiplied(by other: Monomial) -> Monomial? {
    let (c, overflow) = coefficient.multipliedReportingOverflow(by: other.coefficient)
    guard !overflow else { return nil }
    guard denominator == 1 && other.denominator == 1 else {
      guard symbols.isEmpty && other.symbols.isEmpty else { return nil }
      let (d, overflow) = denominator.multipliedReportingOverflow(by: other.denominator)
      return overflow ? nil : Monomial(numerator: c, denominator: d)
    }
    return Monomial(coefficient: c, sortedSymbols: (symbols + other.symbols).sorted())
  }

  /// The quotient when `other` divides this monomial exactly for every value of the symbols (its coefficient
  /// divides ours and its symbols are among ours); `nil` otherwise, or when `other` is zero.
  func divided(exactlyBy other: Monomial) -> Monomial? {
    guard other.coefficient != 0, denominator == 1, other.denominator == 1 else { return nil }
    let (q, overflow) = coefficient.dividedReportingOverflow(by: other.coefficient)
    let (r, _) = coefficient.remainderReportingOverflow(dividingBy: other.coefficient)
    guard !overflow, r == 0 else { return nil }
    var remaining = symbols
    for symbol in other.symbols {
      guard let index = remaining.firstIndex(of: symbol) else { return nil }
      remaining.remove(at: index)
    }
    return Monomial(coefficient: q, sortedSymbols: remaining)
  }

  /// The sum, when it is a monomial: one side is zero, or both have the same symbols.
  func adding(_ other: Monomial) -> Monomial? {
    if other.coefficient == 0 { return self }
    if coefficient == 0 { return other }
    guard symbols == other.symbols else { return nil }
    guard denominator == 1 && other.denominator == 1 else { return fractionSum(other) }
    let (c, overflow) = coefficient.addingReportingOverflow(other.coefficient)
    guard !overflow else { return nil }
    return Monomial(coefficient: c, sortedSymbols: symbols)
  }

  /// The negation, or `nil` for `Int.min`.
  func negated() -> Monomial? {
    let (c, overflow) = 0.subtractingReportingOverflow(coefficient)
    guard !overflow else { return nil }
    guard denominator == 1 else { return Monomial(numerator: c, denominator: denominator) }
    return Monomial(coefficient: c, sortedSymbols: symbols)
  }

  /// The sum of two numbers at least one of which is a fraction, over the larger denominator.
  private func fractionSum(_ other: Monomial) -> Monomial? {
    let common = Swift.max(denominator, other.denominator)
    let (a, overflowA) = coefficient.multipliedReportingOverflow(by: common / denominator)
    let (b, overflowB) = other.coefficient.multipliedReportingOverflow(by: common / other.denominator)
    let (sum, overflow) = a.addingReportingOverflow(b)
    guard !overflowA, !overflowB, !overflow else { return nil }
    return Monomial(numerator: sum, denominator: common)
  }
}

extension Monomial: CustomStringConvertible {
  /// `512*N`, `N`, `7`: used in error messages.
  var description: String {
    if denominator != 1 { return "\(coefficient)/\(denominator)" }
    if symbols.isEmpty { return String(coefficient) }
    let factors = coefficient == 1 ? symbols : [String(coefficient)] + symbols
    return factors.joined(separator: "*")
  }
}
