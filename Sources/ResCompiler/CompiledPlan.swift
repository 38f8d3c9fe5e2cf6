/// A model compiled to a plan: the plan file's bytes and what they hold, ready to be written.
public struct CompiledPlan: Sendable {
  /// The model file the plan was compiled from (`write(to:)` refuses to overwrite it).
  public let modelPath: String
  public let plan: GeneratedPlan

  /// The whole plan file, assembled in memory on each call (`write(to:)` streams it to a file instead).
  public var bytes: [UInt8] { plan.bytes }
  public var summary: PlanSummary { plan.summary }

  /// The text listing of the plan's buffers and steps (`--dump plan`), headed by `// model change:` lines
  /// for the optimizer's changes to the model's meaning, if any.
  public func listing(modelChanges: [String] = []) -> String {
    DumpFormat.commentLines(modelChanges) + plan.listing()
  }

  /// Writes the plan to `path` atomically: a temporary file in the same folder, renamed over `path` once
  /// complete, so `path` holds the old file or the whole plan, never a part. Refuses to replace the model.
  public func write(to path: String) throws(FileWriteError) {
    guard !PlanPath.isSameFile(path, as: modelPath) else {
      throw FileWriteError(description: "\(path) is the model itself; write the plan somewhere else")
    }
    try AtomicFile.replace(path, length: plan.layout.fileLength) { (file) throws(FileWriteError) in
      try plan.write(to: file)
    }
  }
}

extension CompiledPlan {
  /// How many plan steps each IR node became, by node name (`--dump blocks` counts a block's steps with it).
  /// A node folded at compile time has none; Concat's copies and casts can make several.
  public var stepCountsByNode: [String: Int] {
    var counts: [String: Int] = [:]
    for step in plan.metadata.steps { counts[step.name, default: 0] += 1 }
    return counts
  }
}
