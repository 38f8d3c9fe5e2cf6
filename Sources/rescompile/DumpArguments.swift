import ArgumentParser
import ResCompiler

/// `--dump STAGE`, `--dump-format`, `--dump-dir`: which graphs and listings to write, and where.
struct DumpArguments: ParsableArguments {
  @Option(
    name: .customLong("dump"),
    help: ArgumentHelp(
      "Dump the graph or plan at STAGE (repeatable): imported, optimized (after the passes), blocks (the "
        + "optimized graph as residual blocks), plan.", valueName: "STAGE"))
  var stages: [DumpStage] = []

  @Option(name: .customLong("dump-format"), help: "Format of the graph dumps (blocks: text or json; plan: text only).")
  var format: DumpFormat = .text

  @Option(
    name: .customLong("dump-dir"),
    help: ArgumentHelp(
      "Write each dump to DIR/STAGE.EXT, --explain to DIR/explain.EXT and --print-after to "
        + "DIR/after-NN-PASS.ir instead of standard output and error (DIR is created if missing).",
      valueName: "DIR"))
  var directory: String?

  func validate() throws {
    if let stage = stages.first(where: { !$0.supports(format) }) {
      throw ValidationError("--dump \(stage.rawValue) has no \(format.rawValue) form; use --dump-format text")
    }
  }

  /// Whether `stage` was asked for.
  func wants(_ stage: DumpStage) -> Bool { stages.contains(stage) }

  /// Documents these dumps put on standard output (none with --dump-dir): stage and whether it is JSON.
  var standardOutputDocuments: [(name: String, isJSON: Bool)] {
    directory == nil ? stages.map { ("--dump \($0.rawValue)", $0.supports(.json) && format == .json) } : []
  }
}
