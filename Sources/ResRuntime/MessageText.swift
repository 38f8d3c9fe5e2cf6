/// Names from a plan as they appear in error messages: a hostile or odd name (a newline, a terminal escape)
/// must not break the one-line message or the terminal, so control characters and quotes are escaped.
enum MessageText {
  /// `'name'`, escaped.
  static func quoted(_ name: String) -> String {
    "'" + escaped(name) + "'"
  }

  static func escaped(_ name: String) -> String {
    var result = ""
    for scalar in name.unicodeScalars {
      switch scalar {
      case "'": result += "\\'"
      case "\\": result += "\\\\"
      case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
        result += "\\u{\(String(scalar.value, radix: 16))}"
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result
  }
}
