/// A JSON document built in memory and written with one fixed layout.
///
/// Written by hand rather than with `JSONSerialization` because the dump is a contract: key order must be
/// the order the writer chose (not a dictionary's), float attributes must keep their shortest spelling
/// (`0.1`, not `0.10000000149011612`), and the bytes must be the same on every platform. Package-visible so the
/// compiler's other JSON reports (`--explain-format json`) are written the same way.
package indirect enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  /// Already spelled as a JSON number.
  case number(String)
  case string(String)
  case array([JSONValue])
  /// Keys in the order given.
  case object([Member])

  package struct Member: Sendable, Equatable {
    package var key: String
    package var value: JSONValue

    package init(_ key: String, _ value: JSONValue) {
      self.key = key
      self.value = value
    }
  }

  package static func int(_ value: Int) -> JSONValue { .number(String(value)) }

  /// A finite float in its shortest round-trip spelling; `nan`, `inf` and `-inf` (which JSON numbers cannot
  /// express) as strings.
  package static func float(_ value: Float) -> JSONValue {
    value.isFinite ? .number(value.description) : .string(TextSpelling.float(value))
  }

  /// Pretty-printed with two-space indentation and a final newline. Arrays of scalars stay on one line
  /// (`"shape": [1, 64, "N", null]`) so shapes read at a glance.
  package func rendered() -> String {
    var out = ""
    write(into: &out, indent: 0)
    return out + "\n"
  }

  /// Recursion follows the document's nesting, which the dump writers fix at a handful of levels; long
  /// lists (the nodes) are loops.
  private func write(into out: inout String, indent: Int) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .number(let n): out += n
    case .string(let s): out += JSONValue.quoted(s)
    case .array(let elements): JSONValue.write(elements, into: &out, indent: indent)
    case .object(let members): JSONValue.write(members, into: &out, indent: indent)
    }
  }

  private var isScalar: Bool {
    switch self {
    case .null, .bool, .number, .string: true
    case .array, .object: false
    }
  }

  private static func write(_ elements: [JSONValue], into out: inout String, indent: Int) {
    if elements.allSatisfy(\.isScalar) {
      out += "["
      for (i, element) in elements.enumerated() {
        if i > 0 { out += ", " }
        element.write(into: &out, indent: indent)
      }
      out += "]"
      return
    }
    let inner = String(repeating: " ", count: indent + 2)
    out += "[\n"
    for (i, element) in elements.enumerated() {
      out += inner
      element.write(into: &out, indent: indent + 2)
      out += i + 1 < elements.count ? ",\n" : "\n"
    }
    out += String(repeating: " ", count: indent) + "]"
  }

  private static func write(_ members: [Member], into out: inout String, indent: Int) {
    guard !members.isEmpty else {
      out += "{}"
      return
    }
    let inner = String(repeating: " ", count: indent + 2)
    out += "{\n"
    for (i, member) in members.enumerated() {
      out += inner + quoted(member.key) + ": "
      member.value.write(into: &out, indent: indent + 2)
      out += i + 1 < members.count ? ",\n" : "\n"
    }
    out += String(repeating: " ", count: indent) + "}"
  }

  /// A JSON string: quotes, backslashes and control characters escaped; everything else as UTF-8.
  static func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }
}
