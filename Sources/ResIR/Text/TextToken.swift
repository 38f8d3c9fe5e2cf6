/// One token of the text form, with where it starts.
struct TextToken: Sendable {
  enum Kind: Sendable, Equatable {
    /// Keywords, op types, dtypes, symbolic dimensions, enum words (`graph`, `Conv`, `f32`, `N`, `SAME_UPPER`).
    case identifier(String)
    /// The raw text of a number (`3`, `-1`, `1e-05`, `-inf`), converted once its kind is known.
    case number(String)
    /// A double-quoted string, escapes resolved.
    case string(String)
    /// `%name`: a graph input or node result.
    case valueName(String)
    /// `@name`: a constant.
    case constantName(String)
    /// One of `( ) [ ] { } , = : ?`.
    case punctuation(Unicode.Scalar)
    case end
  }

  var kind: Kind
  var position: SourcePosition
}

extension TextToken.Kind: CustomStringConvertible {
  /// How a token is named in "expected X, found Y" messages.
  var description: String {
    switch self {
    case .identifier(let s): "'\(s)'"
    case .number(let s): "'\(s)'"
    case .string(let s): "string \(TextSpelling.quoted(s))"
    case .valueName(let s): "'%\(TextSpelling.name(s))'"
    case .constantName(let s): "'@\(TextSpelling.name(s))'"
    case .punctuation(let p): "'\(p)'"
    case .end: "end of input"
    }
  }
}
