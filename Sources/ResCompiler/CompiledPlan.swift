/// A model compiled to a plan: the plan file's bytes and what they hold, ready to be written.
public struct CompiledPlan: Sendable {
  /// The model file the plan was compiled from (`write(to:)` refuses to overwrite it).
  public let modelPath: String
  public let plan: GeneratedPlan

  public var bytes: [UInt8] { plan.bytes }
  public var summary: PlanSummary { plan.summary }

  /// The text listing of the plan's buffers and steps (`--dump plan`).
  public func listing() -> String { plan.listing() }

  /// Writes the plan to `path` atomically: a temporary file in the same folder, renamed over `path` once
  /// complete, so `path` holds the old file or the whole plan, never a part. Refuses to replace the model.
  public func write(to path: String) throws(FileWriteError) {
    guard !PlanPath.isSameFile(path, as: modelPath) else {
      throw FileWriteError(description: "\(path) is the model itself; write the plan somewhere else")
    }
    try AtomicFile.replace(path, with: plan.bytes)
  }
}
