import ResIR

extension LoadedModel {
  /// The graph inputs' names in graph order: the order of `input_K.pb` files and of a plan's inputs.
  public var inputNames: [String] { graph.inputs.map { graph[$0].name } }

  /// The graph outputs' names in graph order.
  public var outputNames: [String] { graph.outputs.map { graph[$0].name } }

  /// `explicit` (`--dim`), completed with the size each other symbolic input dimension has in `inputs`: how
  /// `run` and `check` compile a dynamic-batch model for the data they were given.
  ///
  /// Throws naming the input when a tensor's rank or a fixed dimension disagrees with the model, or when one
  /// symbol would take two sizes. Inputs missing from `inputs` are skipped (the runner reports them).
  public func dimensionBindings(matching inputs: [String: Constant], explicit: [String: Int] = [:])
    throws(ModelError) -> [String: Int]
  {
    let declared = graph.inputs.map { (name: graph[$0].name, type: graph[$0].type) }
    return try InputSizes.bindings(declared: declared, matching: inputs, explicit: explicit)
  }
}
