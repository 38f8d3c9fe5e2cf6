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
    optimization.options(dimensionBindings: Dictionary(uniqueKeysWithValues: dimensions.map { ($0.name, $0.value) }))
  }

  /// `-O2`, or `--passes a,b` when an explicit list replaces the level: how reports name the compilation.
  var label: String {
    optimization.passes.map { "--passes \($0)" } ?? "-O\(optimization.level.rawValue)"
  }
}
