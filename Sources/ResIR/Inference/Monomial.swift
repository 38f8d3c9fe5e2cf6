/// An integer of the form `coefficient × s₁ × s₂ × ⋯`: a number times a product of symbolic sizes.
///
/// Shape inference needs products of dimensions (Flatten, Reshape's `-1`, element counts) and the integer
/// arithmetic that PyTorch exports compute from `Shape` (`Mul`, `Div`). With a symbolic batch those are
/// products of symbols and numbers, never sums of different symbols, so a monomial keeps them exact:
/// `[N,512,1,1]` has `512·N` elements, and dividing that by 512 gives back exactly `N`. Anything a monomial
/// cannot express (a sum of different symbols, an overflow) is reported as `nil` and becomes an unknown
/// dimension.
struct Monomial: Hashable, Sendable {
  let coefficient: Int
  /// The symbolic factors, sorted, with repetition (`N·N` is `["N", "N"]`). Empty when the coefficient is 0,
  /// so that every zero compares equal.
  let symbols: [String]

  init(_ value: Int) {
    coefficient = value
    symbols = []
  }

  init(symbol: String) {
    coefficient = 1
    symbols = [symbol]
  }

  private init(coefficient: Int, sortedSymbols: [String]) {
    self.coefficient = coefficient
    self.symbols = coefficient == 0 ? [] : sortedSymbols
  }

  /// The monomial a dimension stands for; `nil` for an unknown dimension.
  init?(_ dim: Dim) {
    switch dim {
    case .known(let v): self.init(v)
    case .symbol(let s): self.init(symbol: s)
    case .unknown: return nil
    }
  }

  /// The value, when it involves no symbol.
  var constant: Int? { symbols.isEmpty ? coefficient : nil }

  /// The dimension this monomial spells: a number, a single symbol, or `unknown` for anything else
  /// (`64·N` has no `Dim` spelling).
  var dim: Dim {
    if symbols.isEmpty { return .known(coefficient) }
    if coefficient == 1 && symbols.count == 1 { return .symbol(symbols[0]) }
    return .unknown
  }

  /// Whether the value is certainly ≥ 0: symbols are sizes, so a non-negative coefficient suffices.
  var isProvablyNonNegative: Bool { coefficient >= 0 }

  /// The product, or `nil` when the coefficient overflows.
  func multiplied(by other: Monomial) -> Monomial? {
    let (c, overflow) = coefficient.multipliedReportingOverflow(by: other.coefficient)
    guard !overflow else { return nil }
    return Monomial(coefficient: c, sortedSymbols: (symbols + other.symbols).sorted())
  }

  /// The quotient when `other` divides this monomial exactly for every value of the symbols (its coefficient
  /// divides ours and its symbols are among ours); `nil` otherwise, or when `other` is zero.
  func divided(exactlyBy other: Monomial) -> Monomial? {
    guard other.coefficient != 0 else { return nil }
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
    let (c, overflow) = coefficient.addingReportingOverflow(other.coefficient)
    guard !overflow else { return nil }
    return Monomial(coefficient: c, sortedSymbols: symbols)
  }

  /// The negation, or `nil` for `Int.min`.
  func negated() -> Monomial? {
    let (c, overflow) = 0.subtractingReportingOverflow(coefficient)
    guard !overflow else { return nil }
    return Monomial(coefficient: c, sortedSymbols: symbols)
  }
}

extension Monomial: CustomStringConvertible {
  /// `512*N`, `N`, `7`: used in error messages.
  var description: String {
    if symbols.isEmpty { return String(coefficient) }
    let factors = coefficient == 1 ? symbols : [String(coefficient)] + symbols
    return factors.joined(separator: "*")
  }
}
