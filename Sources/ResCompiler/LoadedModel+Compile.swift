import ResRuntime

extension LoadedModel {
  /// Compiles the model to a plan: optimizes it (ResPasses, at the options' level), then (ResCodegen) binds
  /// the symbolic input dimensions, evaluates shape arithmetic, lowers every node to kernel steps, plans the
  /// activation arena and lays out the constants.
  ///
  /// Throws a `ModelError` naming the node for anything the plan cannot express (an unbound dimension, an op
  /// or element type the kernels cannot run).
  public func compile(options: CompileOptions = CompileOptions()) throws(ModelError) -> CompiledPlan {
    try compile(optimized(options: options).graph, options: options)
  }

  /// Compiles `graph`, this model's graph as an earlier `optimized(options:)` left it, to a plan.
  public func compile(_ graph: Graph, options: CompileOptions) throws(ModelError) -> CompiledPlan {
    let codegenOptions = CodegenOptions(
      dimensionBindings: try bindingsLeftOpen(by: options.dimensionBindings), producer: RescompileVersion.producer,
      sourceFingerprint: try fingerprint.value(), compileOptions: options.description,
      activationLayout: options.activationLayout, winogradTile: options.winogradTile,
      winogradReach: options.winogradReach ?? MachineTuning.winogradReach)
    return CompiledPlan(modelPath: path, sourceFiles: sourceFiles, plan: try PlanGenerator.generate(graph, options: codegenOptions))
  }

  /// `bindings` without those the import already applied (the same `--dim` reaches both), which name no
  /// symbol of the graph any more; a different size for one of them is an error.
  private func bindingsLeftOpen(by bindings: [String: Int]) throws(ModelError) -> [String: Int] {
    var open = bindings
    for (symbol, size) in importedDimensionBindings.sorted(by: { $0.key < $1.key }) {
      guard let given = open.removeValue(forKey: symbol) else { continue }
      guard given == size else {
        throw ModelError("the binding \(symbol)=\(given) differs from \(symbol)=\(size), the size the model was read with")
      }
    }
    return open
  }
}
