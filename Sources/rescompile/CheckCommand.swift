import ArgumentParser
import ResCompiler

/// `rescompile check MODEL.onnx [--data DIR] [--rtol R] [--atol A]`: compile, run, compare every output with
/// reference data (or with the reference evaluator when there is none), print the errors, and exit non-zero
/// when an output is off.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Compile a model, run it, and compare its outputs with reference data.",
    discussion: """
      Examples:
        # Compare with every test_data_set_N next to the model
        rescompile check model.onnx
        # The same without the optimizer
        rescompile check model.onnx -O0
        # DIR holds input_K.pb and output_K.pb, or test_data_set_N folders
        rescompile check model.onnx --data my_cases
        # Tighter tolerances
        rescompile check model.onnx --rtol 1e-5 --atol 1e-6

      An output passes when every element satisfies |actual - expected| <= atol + rtol * |expected|. Without
      reference data (no test_data_set_N next to the model and no --data), the outputs are compared with
      rescompile's reference evaluator (ResReference: the imported graph, no optimizer, no kernels) on seeded
      inputs, and the report says so. Symbolic dimensions not given by --dim take their sizes from each data
      set's inputs. Exit status: 0 when every output passes, 2 when one fails, 1 when the check cannot run
      (a bad model or data, or a plan given instead of the model).
      """
  )

  @Argument(help: "The ONNX model to check (not a plan: check compiles the model itself).")
  var model: String

  @Option(
    help: ArgumentHelp(
      "Reference data: a folder with input_K.pb and output_K.pb, or one holding test_data_set_N folders.",
      valueName: "DIR"))
  var data: String?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Relative tolerance (default 1e-3; 1e-2 for a model with float16 values).", valueName: "R"))
  var rtol: Double?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Absolute tolerance (default 1e-4; 5e-2 for a model with float16 values).", valueName: "A"))
  var atol: Double?

  @Option(parsing: .unconditional, help: ArgumentHelp("Seed of the generated inputs when there is no reference data.", valueName: "N"))
  var seed: UInt64 = 0

  @OptionGroup var compilation: CompilationArguments
  @OptionGroup var execution: ExecutionArguments

  /// The exit status when an output is beyond the tolerance (1 is for a check that could not run).
  static let mismatchStatus: Int32 = 2

  func validate() throws {
    for (name, value) in [("--rtol", rtol), ("--atol", atol)] {
      if let value, !(value >= 0 && value.isFinite) {
        throw ValidationError("\(name) must be a finite number at least 0, not \(value)")
      }
    }
  }

  func run() throws {
    if RunnableFile.isPlanFile(model) {
      Diagnostics.fail(
        "\(model): is a compiled plan; check needs the ONNX model (it compiles the model itself), then compares")
    }
    // A model whose symbolic input sizes --dim leaves open is imported once the data sets give them (bound as
    // the model is read); any other is imported first, so that its problems come before the data's.
    let deferred = DeferredModel.open(model, options: compilation.importOptions)
    let imported = try deferred == nil ? importModel() : nil
    let dataSets = try Diagnostics.exitOnModelError(file: data ?? model) { () throws(ModelError) in
      if let data { return try TestDataSet.sets(in: data) }
      return try TestDataSet.sets(nextTo: model)
    }
    if let deferred, !dataSets.isEmpty {
      let report = try Diagnostics.exitOnFileError(path: model) {
        try deferred.check(
          against: dataSets, options: compilation.options, rtol: rtol, atol: atol, threads: execution.threads)
      }
      return try finish(report)
    }
    let loaded = try imported ?? importModel()
    let report = try Diagnostics.exitOnFileError(path: model) {
      if dataSets.isEmpty {
        return try loaded.checkAgainstReference(
          seed: seed, options: compilation.options, rtol: rtol, atol: atol, threads: execution.threads)
      }
      return try loaded.check(
        against: dataSets, options: compilation.options, rtol: rtol, atol: atol, threads: execution.threads)
    }
    try finish(report)
  }

  private func importModel() throws -> LoadedModel {
    try Diagnostics.exitOnModelError(file: model) { () throws(ModelError) in
      try LoadedModel(contentsOf: model, options: compilation.importOptions)
    }
  }

  /// Prints the report; a failed comparison ends with an `error:` line and `mismatchStatus`.
  private func finish(_ report: CheckReport) throws {
    OutputStream.standardOutput.write(render(report))
    guard report.passed else {
      let worst = report.failures.map { "'\(VisibleText.of($0.output))' (\($0.dataSet))" }.joined(separator: ", ")
      OutputStream.standardError.write(
        "error: \(model): outputs differ from the reference beyond \(report.tolerance): \(worst)\n")
      throw ExitCode(Self.mismatchStatus)
    }
  }

  /// Why the tolerance is wider than the usual default, for a model that rounds to float16.
  private static let toleranceNote = " (the defaults for a model with float16 values, which carry float16's rounding)"

  /// Which side of a failed output the reference evaluator is nearer: the stored outputs come from another
  /// runtime, which rounds too, and are sometimes the further from it.
  private static func evaluatorNote(_ failure: CheckReport.OutputResult) -> String? {
    guard let opinion = failure.evaluatorOpinion else { return nil }
    let nearer =
      opinion.distanceToActual < opinion.distanceToExpected
      ? "rescompile's output is the nearer"
      : opinion.distanceToActual > opinion.distanceToExpected ? "the stored output is the nearer" : "neither is nearer"
    return "note: the reference evaluator (ResReference: the model as imported, double-precision sums, no "
      + "optimizer, no kernels) is " + NumberText.error(opinion.distanceToActual) + " from rescompile's '"
      + VisibleText.of(failure.output) + "' (\(failure.dataSet)) and " + NumberText.error(opinion.distanceToExpected)
      + " from the stored one: \(nearer)"
  }

  /// Whether the reference evaluator is nearer rescompile's output on every failed output: then the stored
  /// outputs are the ones off, and the Winograd hint would point the user at the wrong side.
  private static func evaluatorSidesWithUs(_ report: CheckReport) -> Bool {
    report.failures.allSatisfy { failure in
      failure.evaluatorOpinion.map { $0.distanceToActual < $0.distanceToExpected } ?? false
    }
  }

  private func render(_ report: CheckReport) -> String {
    let reference =
      switch report.reference {
      case .testData(let folders): "reference data: " + folders.joined(separator: ", ")
      case .referenceEvaluator(let seed):
        "no reference data: comparing with the reference evaluator (ResReference) on seeded inputs (seed \(seed))"
      }
    let dataSetCount = Set(report.results.map(\.dataSet)).count
    var lines = [
      "check \(model) at \(compilation.label): \(report.stepCount) steps, compiled in "
        + NumberText.milliseconds(report.compileTime) + ", ran \(dataSetCount) data set(s) in "
        + NumberText.milliseconds(report.runTime) + " on \(execution.threads) thread(s)",
      reference,
    ]
    lines += CheckTable.rows(report.results)
    let failed = report.failures.count
    let tolerance = "\(report.tolerance)" + (report.float16Model && (rtol == nil || atol == nil) ? Self.toleranceNote : "")
    lines.append(
      failed == 0
        ? "PASS: \(report.results.count) output(s) within \(tolerance)"
        : "FAIL: \(failed) of \(report.results.count) output(s) beyond \(tolerance)")
    lines += report.failures.compactMap(Self.evaluatorNote)
    if failed > 0, report.fourByFourWinogradSteps > 0, !report.float16Model, !Self.evaluatorSidesWithUs(report) {
      // The one known source of a few elements just past the tolerance on a correct plan.
      lines.append(
        "note: \(report.fourByFourWinogradSteps) convolution(s) run Winograd F(4x4), which rounds several times more "
          + "than a direct sum; if only a few elements are just past the tolerance, --winograd-tile 2 about halves that "
          + "error")
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
