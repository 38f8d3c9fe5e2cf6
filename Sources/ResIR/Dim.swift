/// One dimension of a tensor shape.
///
/// Symbolic dimensions (`N`, `batch`) stay symbolic through shape inference, so a model with a dynamic batch
/// keeps it. A dimension that inference cannot express (a Conv over a symbolic spatial size, say) is
/// `unknown`: it is never considered equal to anything, including another `unknown`, which is what the fusion
/// guards need ("different dim_params are not assumed equal").
public enum Dim: Sendable, Hashable, Codable {
  case known(Int)
  case symbol(String)
  case unknown

  /// The value when it is a number.
  public var value: Int? {
    if case .known(let v) = self { return v }
    return nil
  }

  /// True when both dimensions are certainly the same size: equal numbers, or the same symbol.
  public func provablyEquals(_ other: Dim) -> Bool {
    switch (self, other) {
    case (.known(let a), .known(let b)): a == b
    case (.symbol(let a), .symbol(let b)): a == b
    default: false
    }
  }
}

extension Dim: CustomStringConvertible {
  /// `64`, `N` or `?`: the spelling used by the text form.
  public var description: String {
    switch self {
    case .known(let v): String(v)
    case .symbol(let s): s
    case .unknown: "?"
    }
  }
}

extension Dim: ExpressibleByIntegerLiteral {
  public init(integerLiteral value: Int) { self = .known(value) }
}
