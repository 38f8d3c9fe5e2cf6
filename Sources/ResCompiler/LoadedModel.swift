import ResONNX

/// A model imported from an ONNX file and verified: the starting point of every compilation.
public struct LoadedModel: Sendable {
  /// The path it was read from, as the user gave it (error messages repeat it).
  public let path: String
  /// The file's metadata (IR version, opset, producer).
  public let metadata: ModelMetadata
  public var graph: Graph
  /// Changes the import made to what the model computes (a projection `--residual-mismatch zero-pad`
  /// inserted), one line each: the compile summary lists them, and `optimized` carries them into its record.
  public let modelChanges: [String]
  /// value_info types that contradicted shape inference and were ignored (`ImportedModel`), one line each:
  /// the compile summary lists them.
  public let ignoredDeclarations: [String]
  /// How each Loop and If of the main graph became straight-line code (`ImportedModel.controlFlow`), one
  /// line each: the compile summary lists them.
  public let controlFlow: [String]
  /// The files the model was read from: the model file, then its external data files. A plan is never
  /// written over any of them.
  public let sourceFiles: [String]
  /// The model file's fingerprint for its plans, hashed in the background while the model is optimized.
  let fingerprint: FileFingerprint
  /// The symbolic input dimensions bound as the model was read (`ImportOptions.dimensionBindings`): the
  /// graph has their sizes, so `compile` drops the same bindings from its options.
  public let importedDimensionBindings: [String: Int]

  /// Imports the ONNX model at `path` and runs the verifier on the result.
  ///
  /// Throws a `ModelError` naming the node for every problem the importer or verifier finds; the file is only
  /// read, never written.
  public init(contentsOf path: String, options: ImportOptions = ImportOptions()) throws(ModelError) {
    let imported = try ONNXImporter.importModel(at: path, options: options.onnx)
    try Verifier.verify(imported.graph)
    self.path = path
    self.fingerprint = FileFingerprint(path: path)
    self.metadata = ModelMetadata(imported)
    self.graph = imported.graph
    self.modelChanges = imported.modelChanges
    self.ignoredDeclarations = imported.ignoredDeclarations
    self.controlFlow = imported.controlFlow
    self.sourceFiles = [path] + imported.externalDataFiles
    self.importedDimensionBindings = options.dimensionBindings
  }
}

/// What the model file says about itself.
public struct ModelMetadata: Sendable, Hashable {
  public var irVersion: Int
  public var opsetVersion: Int
  public var producer: String

  init(_ imported: ImportedModel) {
    irVersion = Int(imported.irVersion)
    opsetVersion = Int(imported.opsetVersion)
    let version = imported.producerVersion.isEmpty ? "" : " \(imported.producerVersion)"
    producer = imported.producerName.isEmpty ? "unknown" : imported.producerName + version
  }
}
