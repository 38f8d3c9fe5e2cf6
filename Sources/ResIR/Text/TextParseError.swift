/// A problem found while parsing the text form, with the place it was found.
///
/// Line and column are 1-based; columns count Unicode scalars, so a caret placed under the line in an editor
/// lands on the offending token even when names contain non-ASCII characters.
public struct TextParseError: Error, Sendable, Hashable, CustomStringConvertible {
  public var line: Int
  public var column: Int
  public var message: String

  public init(line: Int, column: Int, _ message: String) {
    self.line = line
    self.column = column
    self.message = message
  }

  init(at position: SourcePosition, _ message: String) {
    self.init(line: position.line, column: position.column, message)
  }

  /// `line 4, column 17: expected ':' after value name`.
  public var description: String { "line \(line), column \(column): \(message)" }
}

/// A place in the parsed text (1-based line and column).
struct SourcePosition: Sendable, Hashable, Comparable {
  var line: Int
  var column: Int

  static func < (a: SourcePosition, b: SourcePosition) -> Bool {
    (a.line, a.column) < (b.line, b.column)
  }
}
