import ArgumentParser
import Foundation
import ResCompiler
import ResRuntime

/// `rescompile run PLAN|MODEL.onnx --inputs DIR [--outputs DIR]` or `-i NAME=FILE ... [--outputs DIR]`: runs a
/// plan (or a model compiled in memory) on inputs from files, prints each output's first values and writes the
/// outputs on request.
struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a plan, or a model compiled in memory, on inputs read from files.",
    discussion: """
      Examples:
        # Run a plan on ONNX test data; out/ gets output_0.pb, output_1.pb...
        rescompile run model.resplan --inputs test_data_set_0 --outputs out
        # Compile a model in memory, run it, print the outputs' first values
        rescompile run model.onnx --inputs test_data_set_0
        # NumPy input; out/ gets NAME.npy per output
        rescompile run model.resplan -i input=image.npy --outputs out
        # A dynamic batch takes its size from the input, here without the optimizer
        rescompile run dynamic.onnx -i input=batch8.npy -O0

      --inputs DIR reads input_K.pb for the K-th graph input (serialized onnx.TensorProto, as in ONNX's tests);
      --outputs DIR then gets output_K.pb. With -i, outputs are NAME.npy when every input is a .npy file, else
      output_K.pb. Each output file is written atomically, and an input file is never replaced. A model is
      compiled in memory: the -O options apply, and symbolic dimensions not given by --dim take their sizes from
      the inputs.
      """
  )

  @Argument(help: "A plan, or an ONNX model to compile in memory.")
  var file: String

  @Option(
    name: .customLong("inputs"),
    help: ArgumentHelp("A folder holding input_K.pb for the K-th graph input.", valueName: "DIR"))
  var inputFolder: String?

  @Option(
    name: [.customShort("i"), .customLong("input")],
    help: ArgumentHelp("The input NAME from a .npy or .pb file (repeatable).", valueName: "NAME=FILE"))
  var inputFiles: [NamedInputFile] = []

  @Option(
    name: .customLong("outputs"),
    help: ArgumentHelp("Write the outputs into this folder (created if missing).", valueName: "DIR"))
  var outputFolder: String?

  @OptionGroup var compilation: CompilationArguments
  @OptionGroup var execution: ExecutionArguments

  func validate() throws {
    guard inputFolder == nil || inputFiles.isEmpty else {
      throw ValidationError("give the inputs either as --inputs DIR or as -i NAME=FILE, not both")
    }
    let names = inputFiles.map(\.name)
    if let repeated = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
      throw ValidationError("-i \(repeated) is given more than once")
    }
    if let file = inputFiles.first(where: { TensorFile.format(of: $0.path) == nil }) {
      throw ValidationError("-i \(file.name)=\(file.path): the file must end in .npy or .pb")
    }
    if let inputFolder, let outputFolder, PlanPath.isSameFile(outputFolder, as: inputFolder) {
      throw ValidationError("--outputs is the --inputs folder; its output_K.pb may be reference outputs")
    }
  }

  func run() throws {
    if RunnableFile.isPlanFile(file) { try compilation.refuseForPlan(file) }
    let source = try Diagnostics.exitOnFileError(path: file) { try RunnableFile.open(file, importing: compilation.importOptions) }
    let inputs = try readInputs(names: source.inputNames)
    let clock = ContinuousClock()
    let start = clock.now
    let outputs = try Diagnostics.exitOnFileError(path: file) {
      let plan = try source.plan(options: compilation.options, inputs: inputs.values)
      return try Runner(plan, threads: execution.threads).run(constants: inputs.values)
    }
    let elapsed = clock.now - start
    var report = outputs.map { "  " + TensorPreview.render(name: $0.name, $0.value) + "\n" }
    if let outputFolder {
      let folder = OutputFolder(path: outputFolder, format: inputs.allNPY ? .npy : .onnx)
      let written = try Diagnostics.exitOnFileError(path: outputFolder) {
        try folder.write(outputs, protecting: inputs.files + [file])
      }
      report.append("wrote " + Self.fileList(written) + "\n")
    }
    let how = if case .plan = source { "ran" } else { "compiled in memory at \(compilation.label) and ran" }
    OutputStream.standardOutput.write(
      "\(file): \(how) in \(NumberText.milliseconds(elapsed))\n" + report.joined())
  }

  /// The inputs by name, the files they came from, and whether they were all `.npy`.
  private struct Inputs {
    var values: [String: Constant]
    var files: [String]
    var allNPY: Bool
  }

  private func readInputs(names: [String]) throws -> Inputs {
    if let inputFolder {
      let dataSet = try Diagnostics.exitOnModelError(file: inputFolder) { () throws(ModelError) in
        try TestDataSet(folder: inputFolder)
      }
      let values = try Diagnostics.exitOnModelError(file: inputFolder) { () throws(ModelError) in
        try dataSet.namedInputs(names)
      }
      let files = names.indices.map { inputFolder + "/" + TestDataSet.inputFileName($0) }
      return Inputs(values: values, files: files, allNPY: false)
    }
    if inputFiles.isEmpty, !names.isEmpty {
      throw ValidationError(
        "\(file) has inputs (\(names.joined(separator: ", "))): give them as --inputs DIR or -i NAME=FILE")
    }
    var values: [String: Constant] = [:]
    for input in inputFiles {
      guard names.contains(input.name) else {
        Diagnostics.fail("\(file): -i \(input.name): the model has no input '\(input.name)' (its inputs: "
          + names.joined(separator: ", ") + ")")
      }
      values[input.name] = try Diagnostics.exitOnModelError(file: input.path) { () throws(ModelError) in
        try TensorFile.read(at: input.path)
      }
    }
    let allNPY = inputFiles.allSatisfy { TensorFile.format(of: $0.path) == .npy }
    return Inputs(values: values, files: inputFiles.map(\.path), allNPY: allNPY)
  }

  /// The files written, by name; past eight, their count and the first and last (a model with thousands of
  /// outputs wrote one line of every name).
  static func fileList(_ paths: [String]) -> String {
    guard paths.count > 8, let first = paths.first, let last = paths.last else { return paths.joined(separator: ", ") }
    return "\(paths.count) files: \(first) ... \(last)"
  }
}
