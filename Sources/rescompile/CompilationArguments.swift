import ArgumentParser
import ResCompiler

/// How `run`, `check` and `bench` compile a model they are given (a plan given to them is already compiled):
/// the `-O` group, `--residual-mismatch` and `--dim`, with the same spellings as `rescompile MODEL.onnx`.
struct CompilationArguments: ParsableArguments {
  @OptionGroup var optimization: OptimizationArguments
  @OptionGroup var importing: ImportArguments

  @Option(
    name: .customLong("dim"),
    help: ArgumentHelp(
      "The value of a symbolic input dimension (repeatable); otherwise taken from the inputs given.",
      valueName: "NAME=VALUE"))
  var dimensions: [DimensionArgument] = []

  func validate() throws {
    let names = dimensions.map(\.name)
    if let repeated = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
      throw ValidationError("--dim \(repeated) is given more than once")
    }
  }

  var options: CompileOptions {
    optimization.options(dimensionBindings: dimensionBindings)
  }

  /// How a model is read: `--residual-mismatch`, and the `--dim` sizes (see `ImportOptions.dimensionBindings`).
  var importOptions: ImportOptions {
    importing.options(dimensionBindings: dimensionBindings)
  }

  var dimensionBindings: [String: Int] { Dictionary(uniqueKeysWithValues: dimensions.map { ($0.name, $0.value) }) }

  /// The options given that change how a model compiles (those not at their defaults), as spelled on the
  /// command line.
  var changes: [String] {
    var given: [String] = []
    if optimization.level != .full { given.append("-O\(optimization.level.rawValue)") }
    if optimization.passes != nil { given.append("--passes") }
    if !optimization.disabledPasses.isEmpty { given.append("--disable-pass") }
    if optimization.layout != .automatic { given.append("--layout") }
    if importing.residualMismatch != .error { given.append("--residual-mismatch") }
    if !dimensions.isEmpty { given.append("--dim") }
    return given
  }

  /// Refuses compile options for `path`, a plan: it is compiled already, and ignoring them would, say, run a
  /// plan at its own batch size after `--dim batch=8`.
  func refuseForPlan(_ path: String) throws {
    guard !changes.isEmpty else { return }
    throw ValidationError(
      "\(changes.joined(separator: ", ")) apply when compiling a model; \(path) is a compiled plan")
  }

  /// `-O2`, or `--passes a,b` when an explicit list replaces the level: how reports name the compilation.
  var label: String {
    optimization.passes.map { "--passes \($0)" } ?? "-O\(optimization.level.rawValue)"
  }
}
