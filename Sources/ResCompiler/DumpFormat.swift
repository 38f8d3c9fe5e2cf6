/// The spellings `--dump-format` accepts: part of the command-line contract (DESIGN.md §8).
public enum DumpFormat: String, CaseIterable, Sendable {
  /// The IR's text form: prints and parses back.
  case text
  /// The JSON contract: a top-level object with a `nodes` array.
  case json
  /// Graphviz, for `dot -Tsvg`.
  case dot

  /// The file extension a dump of this format gets when written to a directory.
  public var fileExtension: String {
    switch self {
    case .text: "ir"
    case .json: "json"
    case .dot: "dot"
    }
  }
}

extension Graph {
  /// The graph rendered in `format`. `modelChanges` (what the optimizer changed about the model's meaning) head
  /// the dump: `// model change:` comment lines in the text and DOT forms, a `model_changes` array in JSON.
  public func rendered(as format: DumpFormat, modelChanges: [String] = []) -> String {
    switch format {
    case .text: DumpFormat.commentLines(modelChanges) + TextFormat.print(self)
    case .json: JSONDump.render(self, modelChanges: modelChanges)
    case .dot: DumpFormat.commentLines(modelChanges) + DOTDump.render(self)
    }
  }
}

extension DumpFormat {
  /// `// model change: ...` lines (nothing when there are none): a comment in both the IR text form, which
  /// still parses, and Graphviz.
  static func commentLines(_ modelChanges: [String]) -> String {
    modelChanges.map { "// model change: \($0.split(whereSeparator: \.isNewline).joined(separator: " "))\n" }.joined()
  }
}
