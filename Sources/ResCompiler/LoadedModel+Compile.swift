import Foundation

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
      sourceFingerprint: try fileFingerprint(), compileOptions: options.description)
    return CompiledPlan(modelPath: path, plan: try PlanGenerator.generate(graph, options: codegenOptions))
  }

  /// The fingerprint of the model file's bytes, recorded in the plan so it can be traced to its source.
  private func fileFingerprint() throws(ModelError) -> String {
    do {
      let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
      return Fingerprint.hex(data.withUnsafeBytes { Fingerprint.of($0) })
    } catch {
      throw ModelError("cannot read the model again to fingerprint it: \(error.localizedDescription)")
    }
  }
}
