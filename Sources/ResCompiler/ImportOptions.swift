import ResONNX

/// How `LoadedModel(contentsOf:options:)` reads a model: the choices that change what is imported, as opposed
/// to how it is compiled (`CompileOptions`).
public struct ImportOptions: Sendable, Hashable {
  /// What to do with an Add or Sum whose operands cannot broadcast (`--residual-mismatch`): stop with an
  /// error naming the repair (the default), or insert the zero-pad projection on the skip path, which
  /// `LoadedModel.modelChanges` then reports.
  public var residualMismatch: ResidualMismatchPolicy
  /// Sizes of symbolic input dimensions (`--dim`) known when the model is read
  /// (`ONNXImportOptions.dimensionBindings`): a model with a dynamic height and width whose ConvTranspose or
  /// Resize needs them imports only this way. `compile` takes the same bindings again without complaint.
  public var dimensionBindings: [String: Int]

  public init(residualMismatch: ResidualMismatchPolicy = .error, dimensionBindings: [String: Int] = [:]) {
    self.residualMismatch = residualMismatch
    self.dimensionBindings = dimensionBindings
  }

  var onnx: ONNXImportOptions {
    ONNXImportOptions(residualMismatch: residualMismatch, dimensionBindings: dimensionBindings)
  }
}
