import ResIR

/// The result of importing an ONNX model: the IR graph, and the model metadata a user may want to show.
public struct ImportedModel: Sendable {
  /// The graph, with every value typed by shape inference.
  public var graph: Graph
  /// The model's ONNX IR version (`ir_version`).
  public var irVersion: Int
  /// The default-domain operator set the model was written for.
  public var opsetVersion: Int
  public var producerName: String
  public var producerVersion: String
  public var modelVersion: Int
  public var docString: String
  /// Changes the importer made to what the model computes, one line each, in graph order: the user must hear
  /// about them (e.g. a projection inserted by `ONNXImportOptions.residualMismatch`). Empty for a model
  /// imported as written.
  public var modelChanges: [String]
  /// Type annotations (value_info) that contradicted shape inference and were ignored, one line each: the
  /// model computes the same, but the file says something false about it that the user may want to fix.
  public var ignoredDeclarations: [String]
  /// How each Loop and If of the main graph became straight-line code, one line each ("Loop 'l': unrolled, 12
  /// iterations"): the plan computes what the model computes, specialized to what was known when compiling.
  /// Control flow inside a subgraph is part of its owner's line.
  public var controlFlow: [String]
  /// The external data files the weights were read from (resolved paths), which a plan must not overwrite.
  public var externalDataFiles: [String]

  public init(
    graph: Graph, irVersion: Int, opsetVersion: Int, producerName: String, producerVersion: String,
    modelVersion: Int, docString: String, modelChanges: [String] = [], ignoredDeclarations: [String] = [],
    controlFlow: [String] = [], externalDataFiles: [String] = []
  ) {
    self.graph = graph
    self.irVersion = irVersion
    self.opsetVersion = opsetVersion
    self.producerName = producerName
    self.producerVersion = producerVersion
    self.modelVersion = modelVersion
    self.docString = docString
    self.modelChanges = modelChanges
    self.ignoredDeclarations = ignoredDeclarations
    self.controlFlow = controlFlow
    self.externalDataFiles = externalDataFiles
  }
}
