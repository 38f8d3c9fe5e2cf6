/// How `LoadedModel.compile(options:)` compiles a model.
public struct CompileOptions: Sendable, Hashable {
  /// A value for every symbolic dimension of the model's inputs (`["batch": 8]`); plans have static shapes.
  public var dimensionBindings: [String: Int]

  public init(dimensionBindings: [String: Int] = [:]) {
    self.dimensionBindings = dimensionBindings
  }

  /// What the plan records about how it was compiled (for `inspect`): deterministic, bindings sorted.
  var description: String {
    let dims = dimensionBindings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    return "passes: none; dims: " + (dims.isEmpty ? "none" : dims.joined(separator: ","))
  }
}
