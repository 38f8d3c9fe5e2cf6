import ResIR

/// Choices a caller makes when importing an ONNX model.
public struct ONNXImportOptions: Sendable {
  /// Graph inputs to replace by constants, by name.
  ///
  /// rescompile compiles static-shape programs, so an input that feeds a shape, axes or pads operand must be
  /// known at compile time; binding it turns it into a constant (`ONNXImporter.shapeOperandInputs(at:)` lists
  /// which inputs those are). A bound input no longer appears among the graph's inputs.
  public var inputBindings: [String: Constant]

  /// What to do with an Add or Sum whose operands cannot broadcast (invalid ONNX): stop with an error naming
  /// the repair (the default), or insert the zero-pad projection on the skip path and list the change in
  /// `ImportedModel.modelChanges`.
  public var residualMismatch: ResidualMismatchPolicy

  /// Sizes for symbolic dimensions of the graph inputs (`--dim H=224`), applied as the inputs are typed, so
  /// that every node is imported with those sizes known. ConvTranspose and Resize by scales become other ops
  /// whose sizes the importer must compute: on a model exported with a dynamic height and width they could
  /// not be imported at all when the sizes were bound only after import. Each binding must name a symbol of
  /// some graph input.
  public var dimensionBindings: [String: Int]

  public init(
    inputBindings: [String: Constant] = [:], residualMismatch: ResidualMismatchPolicy = .error,
    dimensionBindings: [String: Int] = [:]
  ) {
    self.inputBindings = inputBindings
    self.residualMismatch = residualMismatch
    self.dimensionBindings = dimensionBindings
  }
}
