import ArgumentParser
import ResCompiler

/// `rescompile MODEL.onnx [-o PLAN] [-O0|-O1|-O2] [--passes P,...] [--disable-pass P]... [--dim NAME=VALUE]... [--dump STAGE]... [--dump-format F] [--dump-dir DIR]
/// [--stats]`: import, verify, compile, write the plan atomically, summarize.
struct CompileCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compile",
    abstract: "Compile an ONNX model into a plan, print a summary, and dump the IR or the plan on request."
  )

  @Argument(help: "The ONNX model to compile.")
  var model: String

  @Option(
    name: [.customShort("o"), .customLong("output")],
    help: ArgumentHelp("Where to write the plan (default: MODEL with .resplan instead of .onnx).", valueName: "PLAN"))
  var output: String?

  @Option(
    name: .customLong("dim"),
    help: ArgumentHelp("The value of a symbolic input dimension (repeatable).", valueName: "NAME=VALUE"))
  var dimensions: [DimensionArgument] = []

  @OptionGroup var optimization: OptimizationArguments
  @OptionGroup var importing: ImportArguments

  @Option(
    name: .customLong("dump"),
    help: ArgumentHelp("Dump the graph or plan at STAGE (repeatable).", valueName: "STAGE"))
  var dumpStages: [DumpStage] = []

  @Option(help: "Format of the dumps (the plan dump is text only).")
  var dumpFormat: DumpFormat = .text

  @Option(help: ArgumentHelp("Write each dump to DIR/STAGE.EXT instead of standard output.", valueName: "DIR"))
  var dumpDir: String?

  @Flag(help: "Print import, compile and write times and peak memory.")
  var stats = false

  var planPath: String { output ?? PlanPath.defaultPath(forModel: model) }

  func validate() throws {
    if dumpStages.count > 1, dumpDir == nil, dumpFormat == .json {
      throw ValidationError("several JSON dumps need --dump-dir (standard output holds one JSON document)")
    }
    if let stage = dumpStages.first(where: { !$0.supports(dumpFormat) }) {
      throw ValidationError("--dump \(stage.rawValue) has no \(dumpFormat.rawValue) form; use --dump-format text")
    }
    if PlanPath.isSameFile(planPath, as: model) {
      throw ValidationError("the plan path '\(planPath)' is the model itself; choose another with -o")
    }
    let names = dimensions.map(\.name)
    if let repeated = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
      throw ValidationError("--dim \(repeated) is given more than once")
    }
  }

  func run() throws {
    let clock = ContinuousClock()
    var timings = SummaryReport.Timings()
    let start = clock.now
    let loaded = try Diagnostics.exitOnModelError(file: model) { () throws(ModelError) in
      try LoadedModel(contentsOf: model, options: importing.options)
    }
    timings.importTime = clock.now - start
    let summaryStream: OutputStream = dumpStages.isEmpty || dumpDir != nil ? .standardOutput : .standardError
    try writeDumps(for: .imported) { loaded.graph.rendered(as: dumpFormat) }

    let compileStart = clock.now
    let options = optimization.options(
      dimensionBindings: Dictionary(uniqueKeysWithValues: dimensions.map { ($0.name, $0.value) }))
    let compiled = try Diagnostics.exitOnModelError(file: model) { () throws(ModelError) in
      try loaded.compile(options: options)
    }
    timings.compileTime = clock.now - compileStart
    try writeDumps(for: .plan) { compiled.listing() }

    let writeStart = clock.now
    try Diagnostics.exitOnFileError(path: planPath) {
      try compiled.write(to: planPath)
    }
    timings.writeTime = clock.now - writeStart

    summaryStream.write(SummaryReport.render(loaded, GraphSummary(loaded.graph)))
    summaryStream.write(SummaryReport.render(plan: compiled.summary, path: planPath, timings: timings))
    if stats {
      summaryStream.write(SummaryReport.renderStats(timings))
    }
  }

  /// Writes `stage`'s dump, if requested: to standard output, or to DIR/STAGE.EXT (atomically).
  private func writeDumps(for stage: DumpStage, _ render: () -> String) throws {
    guard dumpStages.contains(stage) else { return }
    let text = render()
    guard let dumpDir else {
      OutputStream.standardOutput.write(text)
      return
    }
    let path = "\(dumpDir)/\(stage.rawValue).\(stage.fileExtension(dumpFormat))"
    try Diagnostics.exitOnFileError(path: dumpDir) {
      try AtomicFile.replace(path, with: text)
    }
  }
}
