extension LoadedModel {
  /// Runs the optimizer the options ask for on the imported graph.
  ///
  /// `observe` sees the graph after every pass that ran (for `--print-after` and `--verify-each`). The
  /// returned record says what each pattern did (for `--stats` and `--explain`) and which changes to the
  /// model's meaning the user must hear about.
  public func optimized(
    options: CompileOptions = CompileOptions(),
    observe: (_ pass: String, _ graph: Graph) throws(ModelError) -> Void = { _, _ in }
  ) throws(ModelError) -> OptimizedModel {
    var graph = self.graph
    var context = PassContext(disabled: options.disabledPasses)
    for change in modelChanges { context.recordModelChange(change) }
    let manager = PassManager(passes: try options.resolvedPasses())
    try manager.run(&graph, context: &context, observe: observe)
    return OptimizedModel(graph: graph, record: context)
  }
}

/// The optimizer's result: the graph it made and what it decided on the way.
public struct OptimizedModel: Sendable {
  public var graph: Graph
  /// Every decision, how often each pattern applied, and the model changes to report.
  public var record: PassContext
}
