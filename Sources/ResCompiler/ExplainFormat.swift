/// The spellings `--explain-format` accepts.
public enum ExplainFormat: String, CaseIterable, Sendable {
  /// One line per candidate, grouped under its pass: for reading.
  case text
  /// One document with a flat `decisions` array: for scripts (`jq`).
  case json

  /// The file extension of the report when written to a directory (`--dump-dir`).
  public var fileExtension: String {
    switch self {
    case .text: "txt"
    case .json: "json"
    }
  }
}
