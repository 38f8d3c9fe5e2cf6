import ArgumentParser
import ResCompiler

/// `--residual-mismatch error|zero-pad`: how a model is read. Shared by every command that compiles a model
/// (`compile`, and `run`, `check` and `bench` on a model), so each reads a model the same way.
struct ImportArguments: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "An Add whose operands cannot broadcast (invalid ONNX): 'error' stops and names the fix; 'zero-pad' puts "
        + "ResNet's option-A shortcut (a strided 1x1 Conv, zero-padded identity weight) on the skip path and "
        + "reports the change.",
      valueName: "POLICY"))
  var residualMismatch: ResidualMismatchPolicy = .error

  /// The import options these arguments select, with the sizes of symbolic input dimensions given by `--dim`
  /// (known while the model is read: see `ImportOptions.dimensionBindings`).
  func options(dimensionBindings: [String: Int]) -> ImportOptions {
    ImportOptions(residualMismatch: residualMismatch, dimensionBindings: dimensionBindings)
  }
}
