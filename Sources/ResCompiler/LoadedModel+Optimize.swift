extension LoadedModel {
  /// Runs the optimizer the options ask for on the imported graph.
  ///
  /// Passes run one at a time through a `PassManager` (which verifies the graph after each), so that every
  /// pass gets its own `PassRun`: its decisions, model changes, node counts and time. `observe` sees each run
  /// and the graph it left, as soon as the pass finishes (for `--print-after` and `--verify-each`, which must
  /// report a bad pass before the next one runs). A pass the user disabled does not run and is not observed.
  public func optimized(
    options: CompileOptions = CompileOptions(),
    observe: (_ run: PassRun, _ graph: Graph) throws(ModelError) -> Void = { _, _ in }
  ) throws(ModelError) -> OptimizedModel {
    var graph = self.graph
    var context = PassContext(disabled: options.disabledPasses)
    for change in modelChanges { context.recordModelChange(change) }
    let passes = try options.resolvedPasses(for: graph)
    let clock = ContinuousClock()
    var runs: [PassRun] = []
    for (position, pass) in passes.enumerated() where context.isEnabled(pass.name) {
      let (decisionsBefore, changesBefore, nodesBefore) = (
        context.decisions.count, context.modelChanges.count, graph.nodes.count
      )
      let start = clock.now
      try PassManager(passes: [pass]).run(&graph, context: &context)
      let run = PassRun(
        index: position + 1, passCount: passes.count, name: pass.name,
        decisions: Array(context.decisions[decisionsBefore...]),
        modelChanges: Array(context.modelChanges[changesBefore...]), nodesBefore: nodesBefore,
        nodesAfter: graph.nodes.count, duration: clock.now - start)
      runs.append(run)
      try observe(run, graph)
    }
    return OptimizedModel(imported: self.graph, graph: graph, record: context, passRuns: runs)
  }
}
