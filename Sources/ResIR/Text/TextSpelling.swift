/// How names, types and numbers are spelled in the text form.
///
/// The printer, the lexer and the DOT writer share these rules, so that whatever the printer leaves unquoted
/// is exactly what the lexer reads back as one token, and every float prints in a form its parser accepts.
enum TextSpelling {
  // MARK: - Character classes

  /// Characters of a value name that can follow `%` or `@` without quotes. ONNX tensor names such as
  /// `input.1`, `123` or `/layer1/conv/Conv_output_0` stay bare; `onnx::Conv_5` or names with spaces are quoted.
  static func isBareNameScalar(_ s: Unicode.Scalar) -> Bool {
    isASCIIAlphanumeric(s) || s == "_" || s == "." || s == "/"
  }

  /// First character of an identifier (keywords, op types, dtypes, symbolic dimensions, enum words).
  static func isIdentifierStart(_ s: Unicode.Scalar) -> Bool {
    isASCIILetter(s) || s == "_"
  }

  static func isIdentifierContinue(_ s: Unicode.Scalar) -> Bool {
    isASCIIAlphanumeric(s) || s == "_" || s == "."
  }

  static func isASCIILetter(_ s: Unicode.Scalar) -> Bool {
    ("a"..."z").contains(s) || ("A"..."Z").contains(s)
  }

  static func isASCIIDigit(_ s: Unicode.Scalar) -> Bool {
    ("0"..."9").contains(s)
  }

  static func isASCIIAlphanumeric(_ s: Unicode.Scalar) -> Bool {
    isASCIILetter(s) || isASCIIDigit(s)
  }

  static func isIdentifier(_ text: String) -> Bool {
    guard let first = text.unicodeScalars.first, isIdentifierStart(first) else { return false }
    return text.unicodeScalars.allSatisfy(isIdentifierContinue)
  }

  // MARK: - Names and strings

  /// A value name as it follows its sigil: bare when every character allows it, quoted otherwise.
  static func name(_ name: String) -> String {
    let bare = !name.isEmpty && name.unicodeScalars.allSatisfy(isBareNameScalar)
    return bare ? name : quoted(name)
  }

  /// `%x` for graph inputs and node results, `@w` for constants: the sigil tells a reader which values are
  /// weights without looking them up.
  static func reference(_ graph: Graph, _ value: ValueID) -> String {
    (graph.constant(value) == nil ? "%" : "@") + name(graph[value].name)
  }

  /// A double-quoted string. Quotes, backslashes and characters that would break a line or hide in an editor
  /// are escaped; every other character, including non-ASCII, is written as is.
  static func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if needsEscape(scalar) {
          out += "\\u{" + String(scalar.value, radix: 16) + "}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }

  /// Characters an editor would not show: controls (C0, C1, DEL), format characters (bidirectional overrides,
  /// zero-width spaces, the byte-order mark) and the Unicode line and paragraph separators.
  static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .control, .format, .lineSeparator, .paragraphSeparator: true
    default: false
    }
  }

  // MARK: - Types

  /// `64`, `N`, `?`; a symbol that would not read back as one identifier is quoted (`"batch size"`).
  static func dim(_ dim: Dim) -> String {
    switch dim {
    case .known(let v): String(v)
    case .symbol(let s): isIdentifier(s) ? s : quoted(s)
    case .unknown: "?"
    }
  }

  /// `f32[1,64,N,?]`; `f32[]` for a scalar.
  static func type(_ type: TensorType) -> String {
    "\(type.dtype.rawValue)[\(type.shape.map(dim).joined(separator: ","))]"
  }

  // MARK: - Numbers

  /// Swift's shortest round-trip spelling (`1.0`, `1e-05`, `inf`, `-inf`). Every NaN prints as `nan`: a
  /// payload or sign would print as `nan(0x1)`, which is neither readable nor stable across conversions.
  static func float(_ x: Float) -> String { x.isNaN ? "nan" : x.description }

  static func double(_ x: Double) -> String { x.isNaN ? "nan" : x.description }

  static func float16(_ x: Float16) -> String { x.isNaN ? "nan" : x.description }

  /// A typed scalar's value: `7` for an integer or boolean type holding a whole number, the shortest float
  /// spelling otherwise (`-0.5`, `nan`), so `ConstantOfShape`'s int64 fill reads like an integer.
  static func scalar(_ scalar: ScalarValue) -> String {
    if !scalar.dtype.isFloatingPoint, let whole = Int(exactly: scalar.value) { return String(whole) }
    return double(scalar.value)
  }

  /// `[1,-1]`: numeric lists print without spaces, like the dimensions of a type.
  static func integers(_ values: [Int]) -> String {
    "[" + values.map(String.init).joined(separator: ",") + "]"
  }
}
