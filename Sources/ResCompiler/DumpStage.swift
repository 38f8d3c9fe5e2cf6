/// The points in the pipeline a graph can be dumped at (`--dump STAGE`), in pipeline order.
public enum DumpStage: String, CaseIterable, Sendable {
  /// Straight after import and verification: the model as the IR sees it, before any pass.
  case imported
  /// After the optimizer's last pass: the graph the code generator compiles.
  case optimized
  /// The optimized graph as residual blocks: one unit per line (`BlockRendering`), or JSON (`BlockJSON`).
  case blocks
  /// The compiled plan: a text listing of its bindings, buffers and steps (text format only).
  case plan

  /// Whether this stage can be rendered in `format`.
  public func supports(_ format: DumpFormat) -> Bool {
    switch self {
    case .imported, .optimized: true
    case .blocks: format != .dot
    case .plan: format == .text
    }
  }

  /// The file extension of this stage's dump in `format` (`--dump-dir`).
  public func fileExtension(_ format: DumpFormat) -> String {
    switch self {
    case .imported, .optimized: format.fileExtension
    case .blocks: format == .json ? "json" : "txt"
    case .plan: "txt"
    }
  }
}
