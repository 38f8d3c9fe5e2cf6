import ResIR

/// Reads ONNX models into rescompile's IR.
///
/// Supports the default ONNX domain at opsets 7 to 28 and the operators residual networks are built from
/// (`OpSupport.firstOpset`); every older operator form is rewritten into the IR's newest-opset form. Weights
/// are not copied: constants borrow their bytes from the memory-mapped model file (and external data files),
/// which stay mapped while any constant refers to them. A model that cannot be imported completely produces
/// one `ModelError` and no graph; an unsupported operator error lists every unsupported operator at once.
public enum ONNXImporter {
  /// Imports the model file at `path`. External data files are looked up relative to its folder.
  public static func importModel(
    at path: String, options: ONNXImportOptions = .init()
  ) throws(ModelError) -> ImportedModel {
    try importModel(LoadedModel.load(path: path), options: options)
  }

  /// Imports a model held in memory. `baseDirectory` is the folder external data paths are relative to; with
  /// nil, a model that uses external data is an error.
  public static func importModel(
    bytes: [UInt8], baseDirectory: String?, options: ONNXImportOptions = .init()
  ) throws(ModelError) -> ImportedModel {
    try importModel(LoadedModel.load(bytes: bytes, baseDirectory: baseDirectory), options: options)
  }

  /// The names of the graph inputs, in graph order, whose values a static-shape program must know at compile
  /// time: those from which an operand the IR turns into an attribute (axes, split sizes, pads, Dropout's
  /// training_mode) or a shape operand (of Reshape, Expand, ConstantOfShape, Slice) is computed, through any
  /// nodes except `Shape`. Bind them with `ONNXImportOptions.inputBindings`.
  public static func shapeOperandInputs(at path: String) throws(ModelError) -> [String] {
    let loaded = try LoadedModel.load(path: path)
    let opset = try OpSupport.defaultOpset(of: loaded.model)
    return ShapeOperandInputs.find(in: loaded.model.graph, opset: opset)
  }

  static func importModel(_ loaded: LoadedModel, options: ONNXImportOptions) throws(ModelError) -> ImportedModel {
    let model = loaded.model
    let opset = try OpSupport.defaultOpset(of: model)
    let built = try GraphBuilder.build(loaded, opset: opset, options: options)
    return ImportedModel(
      graph: built.graph, irVersion: Int(model.irVersion), opsetVersion: opset, producerName: model.producerName,
      producerVersion: model.producerVersion, modelVersion: Int(model.modelVersion), docString: model.docString,
      modelChanges: built.modelChanges, ignoredDeclarations: built.ignoredDeclarations,
      controlFlow: built.controlFlow, externalDataFiles: built.externalDataFiles)
  }
}
