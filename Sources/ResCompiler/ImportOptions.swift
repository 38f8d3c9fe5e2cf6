import ResONNX

/// How `LoadedModel(contentsOf:options:)` reads a model: the choices that change what is imported, as opposed
/// to how it is compiled (`CompileOptions`).
public struct ImportOptions: Sendable, Hashable {
  /// What to do with an Add or Sum whose operands cannot broadcast (`--residual-mismatch`): stop with an
  /// error naming the repair (the default), or insert the zero-pad projection on the skip path, which
  /// `LoadedModel.modelChanges` then reports.
  public var residualMismatch: ResidualMismatchPolicy

  public init(residualMismatch: ResidualMismatchPolicy = .error) {
    self.residualMismatch = residualMismatch
  }

  var onnx: ONNXImportOptions {
    ONNXImportOptions(residualMismatch: residualMismatch)
  }
}
