/// Splits the text form into tokens.
///
/// Works on Unicode scalars so that columns in error messages count what an editor shows as characters, and
/// so that names in any script pass through unchanged. Newlines are insignificant (every statement starts
/// with a keyword, a result name or an op type); `//` starts a comment that runs to the end of the line,
/// for notes in hand-written test inputs.
struct TextLexer {
  private let scalars: [Unicode.Scalar]
  private var index = 0
  private var line = 1
  private var column = 1

  static func tokenize(_ text: String) throws(TextParseError) -> [TextToken] {
    var lexer = TextLexer(scalars: Array(text.unicodeScalars))
    return try lexer.run()
  }

  private init(scalars: [Unicode.Scalar]) {
    self.scalars = scalars
  }

  private mutating func run() throws(TextParseError) -> [TextToken] {
    var tokens: [TextToken] = []
    while true {
      skipWhitespaceAndComments()
      let start = position
      guard let first = peek() else {
        tokens.append(TextToken(kind: .end, position: start))
        return tokens
      }
      tokens.append(TextToken(kind: try token(startingWith: first), position: start))
    }
  }

  private mutating func token(startingWith first: Unicode.Scalar) throws(TextParseError) -> TextToken.Kind {
    switch first {
    case "%":
      advance()
      return .valueName(try name(after: "%"))
    case "@":
      advance()
      return .constantName(try name(after: "@"))
    case "\"":
      return .string(try string())
    case "(", ")", "[", "]", "{", "}", ",", "=", ":", "?":
      advance()
      return .punctuation(first)
    default:
      if startsNumber(first) { return .number(number()) }
      if TextSpelling.isIdentifierStart(first) { return .identifier(identifier()) }
      throw TextParseError(at: position, "unexpected character \(TextLexer.display(first))")
    }
  }

  // MARK: - Token kinds

  /// A value name after its sigil: bare (`%x`, `%input.1`) or quoted (`%"onnx::Conv_5"`).
  private mutating func name(after sigil: Unicode.Scalar) throws(TextParseError) -> String {
    if peek() == "\"" { return try string() }
    var name = ""
    while let s = peek(), TextSpelling.isBareNameScalar(s) {
      name.unicodeScalars.append(s)
      advance()
    }
    guard !name.isEmpty else { throw TextParseError(at: position, "expected a name after '\(sigil)'") }
    return name
  }

  private mutating func identifier() -> String {
    var text = ""
    while let s = peek(), TextSpelling.isIdentifierContinue(s) {
      text.unicodeScalars.append(s)
      advance()
    }
    return text
  }

  /// A digit, or a sign followed by a digit or a letter (`-1`, `-inf`).
  private func startsNumber(_ first: Unicode.Scalar) -> Bool {
    if TextSpelling.isASCIIDigit(first) { return true }
    guard first == "-" || first == "+", let next = peek(offset: 1) else { return false }
    return TextSpelling.isASCIIAlphanumeric(next)
  }

  /// The raw text of a number: alphanumerics, `_` and `.`, and a sign right after an exponent's `e`.
  private mutating func number() -> String {
    var text = ""
    if let sign = peek(), sign == "-" || sign == "+" {
      text.unicodeScalars.append(sign)
      advance()
    }
    while let s = peek() {
      let afterExponent = text.unicodeScalars.last.map { $0 == "e" || $0 == "E" } ?? false
      guard TextSpelling.isIdentifierContinue(s) || ((s == "-" || s == "+") && afterExponent) else { break }
      text.unicodeScalars.append(s)
      advance()
    }
    return text
  }

  /// A double-quoted string on one line, with `\"`, `\\`, `\n`, `\t`, `\r` and `\u{hex}` escapes.
  private mutating func string() throws(TextParseError) -> String {
    let start = position
    advance()
    var text = ""
    while true {
      guard let s = peek(), s != "\n" else { throw TextParseError(at: start, "unterminated string") }
      if s == "\"" {
        advance()
        return text
      }
      if s == "\\" {
        text.unicodeScalars.append(try escape())
      } else {
        text.unicodeScalars.append(s)
        advance()
      }
    }
  }

  private mutating func escape() throws(TextParseError) -> Unicode.Scalar {
    let start = position
    advance()
    let letter = peek()
    advance()
    switch letter {
    case "n": return "\n"
    case "t": return "\t"
    case "r": return "\r"
    case "\"": return "\""
    case "\\": return "\\"
    case "u": return try unicodeEscape(start: start)
    default: throw TextParseError(at: start, "invalid escape sequence in string")
    }
  }

  /// The `{hex}` part of `\u{hex}`: one to eight hex digits naming a Unicode scalar.
  private mutating func unicodeEscape(start: SourcePosition) throws(TextParseError) -> Unicode.Scalar {
    guard peek() == "{" else { throw TextParseError(at: start, "expected '{' after '\\u'") }
    advance()
    var digits = ""
    while let s = peek(), s.properties.isASCIIHexDigit, digits.unicodeScalars.count < 8 {
      digits.unicodeScalars.append(s)
      advance()
    }
    guard peek() == "}", let value = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(value) else {
      throw TextParseError(at: start, "invalid '\\u{...}' escape: expected 1 to 8 hex digits of a Unicode scalar")
    }
    advance()
    return scalar
  }

  // MARK: - Reading characters

  private var position: SourcePosition { SourcePosition(line: line, column: column) }

  private func peek(offset: Int = 0) -> Unicode.Scalar? {
    index + offset < scalars.count ? scalars[index + offset] : nil
  }

  /// Moves past one character (nothing at the end of input), keeping line and column current.
  private mutating func advance() {
    guard index < scalars.count else { return }
    if scalars[index] == "\n" {
      line += 1
      column = 1
    } else {
      column += 1
    }
    index += 1
  }

  private mutating func skipWhitespaceAndComments() {
    while let s = peek() {
      if s == " " || s == "\t" || s == "\r" || s == "\n" {
        advance()
      } else if s == "/" && peek(offset: 1) == "/" {
        while let c = peek(), c != "\n" { advance() }
      } else {
        return
      }
    }
  }

  /// `'x'` for printable ASCII, `U+0007` otherwise, so a message never contains an invisible character.
  private static func display(_ s: Unicode.Scalar) -> String {
    guard !(0x21...0x7E).contains(s.value) else { return "'\(s)'" }
    let hex = String(s.value, radix: 16, uppercase: true)
    return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
  }
}
