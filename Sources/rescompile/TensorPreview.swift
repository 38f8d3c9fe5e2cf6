import ResCompiler

/// One line per output after `rescompile run`: `logits: f32[1,10] [0.0123, -1.5, ...] (10 values)`, enough
/// to see that a run produced something sensible without opening a file.
enum TensorPreview {
  static let shownValues = 8

  static func render(name: String, _ value: Constant) -> String {
    let shown = (0..<min(value.elementCount, shownValues)).map { position in
      value.dtype.isFloatingPoint
        ? NumberText.element(value.double(at: position)) : String(Int64(value.double(at: position)))
    }
    let more = value.elementCount > shownValues ? ", ..." : ""
    let count = value.elementCount == 1 ? "1 value" : "\(value.elementCount) values"
    return "\(name): \(value.type) [\(shown.joined(separator: ", "))\(more)] (\(count))"
  }
}
