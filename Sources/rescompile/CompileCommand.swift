import ArgumentParser
import ResCompiler

/// `rescompile MODEL.onnx [-o PLAN] [-O0|-O1|-O2] [--passes P,...] [--disable-pass P]... [--dim NAME=VALUE]...
/// [--dump STAGE]... [--dump-format F] [--dump-dir DIR] [--print-after-all | --print-after PASS...] [--explain
/// [--explain-format F]] [--verify-each [--rtol R] [--atol A]] [--stats]`: import, verify, optimize, compile,
/// write the plan atomically, summarize.
///
/// Standard output holds one kind of thing: the summary, or, when a dump or `--explain` goes there, those
/// (then the summary moves to standard error, so the output can be piped). `--print-after` writes to standard
/// error; with `--dump-dir` every dump and report gets a file instead.
struct CompileCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compile",
    abstract: "Compile an ONNX model into a plan, print a summary, and dump the IR or the plan on request.",
    discussion: """
      Seeing what the optimizer did (e.g. rescompile m.onnx --dump blocks):
        --dump optimized       the IR after the passes (text, json or dot)
        --dump blocks          residual blocks as units, with their plan steps
        --explain              every rewrite candidate: applied, or declined and why
        --explain-format json  the same, as one JSON document
        --print-after PASS     the IR after PASS (repeatable), on standard error
        --print-after-all      the IR after every pass (with --dump-dir, in files)
        --verify-each          each pass's output drift (reference evaluator)
        --stats                times, rewrites per pass and pattern, ops before/after
      """
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
  @OptionGroup var dumps: DumpArguments
  @OptionGroup var printAfter: PrintAfterArguments
  @OptionGroup var explain: ExplainArguments
  @OptionGroup var verifyEach: VerifyEachArguments

  @Flag(help: "Print times and peak memory, rewrites per pass and per pattern, and op counts before and after.")
  var stats = false

  var planPath: String { output ?? PlanPath.defaultPath(forModel: model) }

  var dimensionBindings: [String: Int] { Dictionary(uniqueKeysWithValues: dimensions.map { ($0.name, $0.value) }) }

  /// The documents that go to standard output: dumps and `--explain`, unless `--dump-dir` takes them.
  var standardOutputDocuments: [(name: String, isJSON: Bool)] {
    var documents = dumps.standardOutputDocuments
    if dumps.directory == nil, let format = explain.requestedFormat {
      documents.append(("--explain", format == .json))
    }
    return documents
  }

  func validate() throws {
    let documents = standardOutputDocuments
    if documents.count > 1, let json = documents.first(where: \.isJSON) {
      throw ValidationError(
        "\(json.name) writes JSON, and standard output holds one JSON document: add --dump-dir DIR")
    }
    if PlanPath.isSameFile(planPath, as: model) {
      throw ValidationError("the plan path '\(planPath)' is the model itself; choose another with -o")
    }
    let names = dimensions.map(\.name)
    if let repeated = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
      throw ValidationError("--dim \(repeated) is given more than once")
    }
    // An unknown pass name is OptimizationArguments' error; this only checks what --print-after can see.
    if let running = try? optimization.options().resolvedPasses().map(\.name) {
      // promote-float16 runs first on a float16 model unless --float16-compute float16.
      let promotion = optimization.float16Compute == .float32 ? [PromoteFloat16().name] : []
      try printAfter.validate(against: promotion + running)
    }
  }

  func run() throws {
    if RunnableFile.isPlanFile(model) {
      Diagnostics.fail(
        "\(model): is a compiled plan, not an ONNX model; run it with `rescompile run PLAN`, list it with "
          + "`rescompile inspect PLAN`")
    }
    var timings = SummaryReport.Timings()
    let summaryStream: OutputStream = standardOutputDocuments.isEmpty ? .standardOutput : .standardError
    let writer = DumpWriter(directory: dumps.directory)

    let loaded = try Self.timed(&timings.importTime) {
      try Diagnostics.exitOnModelError(file: model) { () throws(ModelError) in
        try LoadedModel(contentsOf: model, options: importing.options(dimensionBindings: dimensionBindings))
      }
    }
    writeDump(.imported, writer) { loaded.graph.rendered(as: dumps.format) }

    let optimized = try Self.timed(&timings.optimizeTime) {
      try optimize(loaded, reportingTo: summaryStream, writer: writer)
    }
    writeDump(.optimized, writer) { optimized.graph.rendered(as: dumps.format, modelChanges: optimized.modelChanges) }
    if let format = explain.requestedFormat {
      let report = ExplainReport.render(optimized, as: format)
      writer.write(report, fileName: "explain.\(format.fileExtension)", otherwise: .standardOutput)
    }

    let compiled = try Self.timed(&timings.compileTime) {
      try Diagnostics.exitOnModelError(file: model) { () throws(ModelError) in
        try loaded.compile(optimized.graph, options: optimization.options(dimensionBindings: dimensionBindings))
      }
    }
    writeDump(.blocks, writer) {
      dumps.format == .json
        ? BlockJSON.render(optimized.graph, stepCounts: compiled.stepCountsByNode, modelChanges: optimized.modelChanges)
        : BlockRendering.render(
          optimized.graph, stepCounts: compiled.stepCountsByNode, modelChanges: optimized.modelChanges)
    }
    writeDump(.plan, writer) { compiled.listing(modelChanges: optimized.modelChanges) }

    try Self.timed(&timings.writeTime) {
      try Diagnostics.exitOnFileError(path: planPath) { try compiled.write(to: planPath) }
    }
    writeSummary(loaded, optimized, compiled, timings, to: summaryStream)
  }

  private func writeSummary(
    _ loaded: LoadedModel, _ optimized: OptimizedModel, _ compiled: CompiledPlan, _ timings: SummaryReport.Timings,
    to stream: OutputStream
  ) {
    stream.write(SummaryReport.render(loaded, GraphSummary(loaded.graph)))
    stream.write(SummaryReport.render(optimized: optimized))
    stream.write(SummaryReport.render(plan: compiled.summary, path: planPath, timings: timings))
    if stats {
      stream.write(SummaryReport.renderStats(timings))
      stream.write(StatsReport.render(OptimizationStatistics(optimized)))
    }
  }

  /// Runs `body`, adding its wall-clock time to `duration`.
  private static func timed<T>(_ duration: inout Duration, _ body: () throws -> T) rethrows -> T {
    let clock = ContinuousClock()
    let start = clock.now
    defer { duration += clock.now - start }
    return try body()
  }

  /// Runs the passes, printing the IR after the passes asked for and checking drift with `--verify-each`.
  private func optimize(_ loaded: LoadedModel, reportingTo stream: OutputStream, writer: DumpWriter) throws
    -> OptimizedModel
  {
    try Diagnostics.exitOnModelError(file: model) { () throws(ModelError) in
      let verification = try verifyEach.enabled
        ? VerifyEachReport(
          loaded, dimensionBindings: dimensionBindings, tolerance: verifyEach.tolerance(for: loaded.graph), stream: stream)
        : nil
      let observer = PassObserver(printAfter: printAfter, writer: writer, verification: verification)
      return try loaded.optimized(
        options: optimization.options(dimensionBindings: dimensionBindings), observe: observer.observe)
    }
  }

  /// Writes `stage`'s dump, if requested: to standard output, or to DIR/STAGE.EXT.
  private func writeDump(_ stage: DumpStage, _ writer: DumpWriter, _ render: () -> String) {
    guard dumps.wants(stage) else { return }
    let fileName = "\(stage.rawValue).\(stage.fileExtension(dumps.format))"
    writer.write(render(), fileName: fileName, otherwise: .standardOutput)
  }
}
