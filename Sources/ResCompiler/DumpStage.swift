/// The points in the pipeline a graph can be dumped at (`--dump STAGE`).
///
/// Only stages that exist are listed, so the argument parser rejects the others with the valid choices: the
/// optimizer and code generator add `optimized`, `blocks` and `plan` when they arrive.
public enum DumpStage: String, CaseIterable, Sendable {
  /// Straight after import and verification: the model as the IR sees it, before any pass.
  case imported
}
