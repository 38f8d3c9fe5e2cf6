
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
      dimensionBindings: options.dimensionBindings, producer: RescompileVersion.producer,
      sourceFingerprint: try fingerprint.value(), compileOptions: options.description,
      activationLayout: options.activationLayout)
    return CompiledPlan(modelPath: path, sourceFiles: sourceFiles, plan: try PlanGenerator.generate(graph, options: codegenOptions))
  }
}
