/// The points in the pipeline a graph can be dumped at (`--dump STAGE`).
///
/// Only stages that exist are listed, so the argument parser rejects the others with the valid choices: the
/// optimizer adds `optimized` and `blocks` when it arrives.
public enum DumpStage: String, CaseIterable, Sendable {
  /// Straight after import and verification: the model as the IR sees it, before any pass.
  case imported
  /// The compiled plan: a text listing of its bindings, buffers and steps (text format only).
  case plan

  /// Whether this stage can be rendered in `format`.
  public func supports(_ format: DumpFormat) -> Bool {
    switch self {
    case .imported: true
    case .plan: format == .text
    }
  }

  /// The file extension of this stage's dump in `format` (`--dump-dir`).
  public func fileExtension(_ format: DumpFormat) -> String {
    switch self {
    case .imported: format.fileExtension
    case .plan: "txt"
    }
  }
}
