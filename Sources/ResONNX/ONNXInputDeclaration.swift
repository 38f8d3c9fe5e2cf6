import ResIR

/// A graph input as the model file declares it, before anything is imported: its name and tensor type, with
/// `dim_param` dimensions as symbols.
///
/// Why before: a model exported with a dynamic height and width imports only with those sizes bound
/// (`ONNXImportOptions.dimensionBindings`: its ConvTranspose and Resize become ops whose sizes the importer
/// computes), and `rescompile run` and `check` learn the sizes from input files, which they find by the
/// inputs' names and order. Reading the declarations first lets them bind the sizes and then import once.
public struct ONNXInputDeclaration: Sendable, Hashable {
  public var name: String
  public var type: TensorType

  public init(name: String, type: TensorType) {
    self.name = name
    self.type = type
  }

  /// The symbols of its dimensions, in axis order.
  public var symbols: [String] {
    type.shape.compactMap { if case .symbol(let symbol) = $0 { symbol } else { nil } }
  }
}

extension ONNXImporter {
  /// The graph inputs of the model at `path` that the importer makes IR inputs (those an initializer of the
  /// same name does not supply), in graph order, with their declared types. Reads the file's structure only,
  /// not its weights; the same problems the importer reports about an input (no name, no shape, not a
  /// tensor) are reported here.
  public static func inputDeclarations(at path: String) throws(ModelError) -> [ONNXInputDeclaration] {
    let graph = try LoadedModel.load(path: path).model.graph
    let initializers = Set(graph.initializer.map(\.name))
    var declarations: [ONNXInputDeclaration] = []
    for info in graph.input where !initializers.contains(info.name) {
      guard !info.name.isEmpty else { throw ModelError("a graph input has no name") }
      declarations.append(ONNXInputDeclaration(name: info.name, type: try DeclaredType.ofGraphInput(info)))
    }
    return declarations
  }
}
