import struct ResRuntime.RuntimeError
import class ResRuntime.Plan

/// A model compiled to a plan: the plan file's bytes and what they hold, ready to be written.
public struct CompiledPlan: Sendable {
  /// The model file the plan was compiled from (`write(to:)` refuses to overwrite it).
  public let modelPath: String
  /// The model file and its external data files: `write(to:)` refuses to overwrite any of them.
  public let sourceFiles: [String]
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
  /// complete, so `path` holds the old file or the whole plan, never a part. Refuses to replace the model or
  /// one of its external data files (the weights would be lost, and a later compile could not read them).
  public func write(to path: String) throws(FileWriteError) {
    guard !PlanPath.isSameFile(path, as: modelPath) else {
      throw FileWriteError(description: "\(path) is the model itself; write the plan somewhere else")
    }
    if let data = sourceFiles.dropFirst().first(where: { PlanPath.isSameFile(path, as: $0) }) {
      throw FileWriteError(
        description: "\(path) is the model's external data file \(data); write the plan somewhere else")
    }
    try AtomicFile.replace(
      path, length: plan.layout.fileLength, fill: { (file) throws(FileWriteError) in try plan.write(to: file) },
      check: loads)
  }

  /// Loads the plan just written as a program using it would (every step's operator built and checked), so
  /// that a model whose values the runtime refuses (strides of 2^31 − 1, a rank above 16, an LRN of 2^40
  /// channels) fails here, with the runtime's reason, instead of leaving a plan that no program can load.
  /// The weights are not read (their checksum is the writer's own), and CPU features are not required: a
  /// plan may be compiled for another machine. ResNet-50: about 2 ms.
  private func loads(_ path: String) throws(FileWriteError) {
    do {
      _ = try ResRuntime.Plan(contentsOf: path, checkCPUFeatures: false)
    } catch {
      throw FileWriteError(
        description: "the plan compiled from \(modelPath) would not load, so none was written: \(error)")
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
