import ResCompiler

/// One line per output after `rescompile run`: `logits: f32[1,10] [0.0123, -1.5, ...] (10 values)`, enough
/// to see that a run produced something sensible without opening a file.
enum TensorPreview {
  static let shownValues = 8

  static func render(name: String, _ value: Constant) -> String {
    let shown = (0..<min(value.elementCount, shownValues)).map { position in
      let element = value.double(at: position)
      // Integers print as integers; an int64 beyond Double's exact range prints as the nearest Double.
      let isWhole = !value.dtype.isFloatingPoint && abs(element) < 0x1p62
      return isWhole ? String(Int64(element)) : NumberText.element(element)
    }
    let more = value.elementCount > shownValues ? ", ..." : ""
    let count = value.elementCount == 1 ? "1 value" : "\(value.elementCount) values"
    return "\(VisibleText.of(name)): \(value.type) [\(shown.joined(separator: ", "))\(more)] (\(count))"
  }
}
