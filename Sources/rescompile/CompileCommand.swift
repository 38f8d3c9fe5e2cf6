import ArgumentParser
import ResCompiler

/// `rescompile MODEL.onnx [--dump STAGE]... [--dump-format F] [--dump-dir DIR] [--stats]`.
struct CompileCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compile",
    abstract: "Import and verify an ONNX model, print a summary, and dump the IR on request."
  )

  @Argument(help: "The ONNX model to compile.")
  var model: String

  @Option(
    name: .customLong("dump"),
    help: ArgumentHelp("Dump the graph at STAGE (repeatable).", valueName: "STAGE"))
  var dumpStages: [DumpStage] = []

  @Option(help: "Format of the dumps.")
  var dumpFormat: DumpFormat = .text

  @Option(help: ArgumentHelp("Write each dump to DIR/STAGE.EXT instead of standard output.", valueName: "DIR"))
  var dumpDir: String?

  @Flag(help: "Print import and verification times and peak memory.")
  var stats = false

  func validate() throws {
    if dumpStages.count > 1, dumpDir == nil, dumpFormat == .json {
      throw ValidationError("several JSON dumps need --dump-dir (standard output holds one JSON document)")
    }
  }

  func run() throws {
    let clock = ContinuousClock()
    let start = clock.now
    let loaded = try Diagnostics.exitOnModelError(file: model) { () throws(ModelError) in
      try LoadedModel(contentsOf: model)
    }
    let importTime = clock.now - start

    let dumps = dumpStages.map { stage in (stage, loaded.graph.rendered(as: dumpFormat)) }
    let summaryStream: OutputStream = dumps.isEmpty || dumpDir != nil ? .standardOutput : .standardError
    if let dumpDir {
      try Diagnostics.exitOnFileError(path: dumpDir) {
        for (stage, text) in dumps {
          try AtomicFile.replace("\(dumpDir)/\(stage.rawValue).\(dumpFormat.fileExtension)", with: text)
        }
      }
    } else {
      for (_, text) in dumps { OutputStream.standardOutput.write(text) }
    }

    let summary = GraphSummary(loaded.graph)
    summaryStream.write(SummaryReport.render(loaded, summary))
    if stats {
      summaryStream.write(SummaryReport.renderStats(importTime: importTime))
    }
  }
}
