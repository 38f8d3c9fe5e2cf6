import ResIR
import ResPasses

/// A graph ready to lower: every input dimension bound, every type re-inferred and static, and everything
/// computable at compile time computed.
struct StaticGraph: Sendable {
  var graph: Graph
  /// The graph outputs' names from before folding (a folded output is a new constant value with a derived
  /// name; callers still receive it under the model's name).
  var outputNames: [String]
  /// How many nodes compile-time evaluation replaced by constants.
  var foldedNodeCount: Int

  static func prepare(_ graph: Graph, options: CodegenOptions) throws(ModelError) -> StaticGraph {
    var graph = graph
    let outputNames = graph.outputs.map { graph[$0].name }
    try DimensionBinding.apply(options.dimensionBindings, to: &graph)
    let folded = try evaluateAtCompileTime(&graph, elementLimit: options.foldingElementLimit)
    try requireStaticShapes(graph)
    return StaticGraph(graph: graph, outputNames: outputNames, foldedNodeCount: folded)
  }

  /// Computes everything a static-shape plan can know: with every dimension bound, `Shape` of any value, the
  /// arithmetic on it, and every node of constants become constants, so shape arithmetic (PyTorch's `Shape →
  /// Gather → Concat → Reshape` chains) never runs at run time. This is lowering, not optimization: a plan
  /// cannot run those nodes, so it happens at every optimization level. The rules (what is known, the size
  /// limit, exact results) are the optimizer's `fold-constants`, shared through `ConstantFolding`; types are
  /// re-inferred from the bound inputs on the way. Returns how many nodes became constants.
  private static func evaluateAtCompileTime(_ graph: inout Graph, elementLimit: Int) throws(ModelError) -> Int {
    let folding = ConstantFolding(purpose: .lowering, elementLimit: elementLimit)
    return try folding.run(&graph).count { if case .folded = $0 { true } else { false } }
  }

  /// Every result of every live node must have static dims now; one that does not depends on values only
  /// known at run time (a Reshape to a shape read from the data, say).
  private static func requireStaticShapes(_ graph: Graph) throws(ModelError) {
    let liveness = Liveness(graph)
    for node in graph.nodes where liveness.isLive(node) {
      for output in node.outputs where graph.type(of: output).knownDims == nil {
        throw ModelError(
          node,
          "result '\(graph[output].name)' has the type \(graph.type(of: output)) even with every input dimension "
            + "known: its shape depends on values computed at run time, and a plan needs static shapes")
      }
    }
  }
}
