/// Pads cells of plain-text tables (explain, stats, blocks) without Foundation's locale-aware formatting, so
/// reports are the same bytes everywhere. Widths count characters; a longer cell is left as it is.
package enum TextColumn {
  package static func left(_ text: String, width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
  }

  package static func right(_ text: String, width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
  }
}
