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
  /// The graph rendered in `format`.
  public func rendered(as format: DumpFormat) -> String {
    switch format {
    case .text: TextFormat.print(self)
    case .json: JSONDump.render(self)
    case .dot: DOTDump.render(self)
    }
  }
}
