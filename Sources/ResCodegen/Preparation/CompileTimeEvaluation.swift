import ResIR
import ResReference

/// Computes at compile time everything a static-shape plan can know: `Shape` of a value with static dims, and
/// every node whose operands are all constants (evaluated by ResReference, the project's oracle). Their results
/// become constants and the nodes disappear, so shape arithmetic (PyTorch's `Shape → Gather → Concat →
/// Reshape` chains) never runs at run time. This is lowering, not optimization: a plan cannot run them.
///
/// Types are re-inferred node by node on the way (the inputs' dims were just bound), and each node is inferred
/// after its folded operands are in place, so a shape that only a folded value determines becomes static too.
/// A result above `elementLimit` elements stays a node when it is larger than every operand (a plan should not
/// store a large constant that one step can expand, like ConstantOfShape or Expand); one no larger than its
/// largest operand is folded whatever its size (a Cast or Transpose of a weight: the plan stores the result
/// instead of the operand, and no step repeats the conversion on every run). Nodes whose results nothing needs
/// are left alone.
enum CompileTimeEvaluation {
  /// Results up to this many elements are folded.
  static let defaultElementLimit = 1 << 20

  /// Re-infers and folds `graph` in place; returns how many nodes were replaced by constants.
  static func run(_ graph: inout Graph, elementLimit: Int) throws(ModelError) -> Int {
    let liveness = Liveness(graph, reads: .compileTime)
    var inference = ShapeInference()
    var replacements: [ValueID: ValueID] = [:]
    var folded = [Bool](repeating: false, count: graph.nodes.count)
    for position in graph.nodes.indices {
      let inputs = graph.nodes[position].inputs
      let remapped = inputs.map { $0.map { replacements[$0] ?? $0 } }
      if remapped != inputs { graph.nodes[position].inputs = remapped }
      try inference.inferNode(at: position, in: &graph)
      let node = graph.nodes[position]
      guard liveness.isLive(node), let constants = try results(of: node, in: graph, elementLimit: elementLimit) else {
        continue
      }
      for (output, constant) in zip(node.outputs, constants) {
        replacements[output] = graph.addConstant(name: graph[output].name, constant)
      }
      folded[position] = true
    }
    graph.nodes = graph.nodes.indices.filter { !folded[$0] }.map { graph.nodes[$0] }
    graph.outputs = graph.outputs.map { replacements[$0] ?? $0 }
    return folded.count(where: { $0 })
  }

  /// The node's results as constants, when they can be known now.
  private static func results(of node: Node, in graph: Graph, elementLimit: Int) throws(ModelError) -> [Constant]? {
    if case .shape(let start, let end) = node.op {
      guard let data = node.input(0), let dims = graph.type(of: data).knownDims else { return nil }
      let values = ShapeRange.slice(dims, start: start, end: end)
      return [Constant(int64s: values.map(Int64.init), dims: [values.count])]
    }
    var constants: [Constant?] = []
    for input in node.inputs {
      guard let input else {
        constants.append(nil)
        continue
      }
      guard let constant = graph.constant(input) else { return nil }
      constants.append(constant)
    }
    let limit = max(elementLimit, constants.compactMap { $0?.elementCount }.max() ?? 0)
    guard !node.presentInputs.isEmpty,
      node.outputs.allSatisfy({ (graph.type(of: $0).elementCount ?? Int.max) <= limit })
    else { return nil }
    return try evaluate(node, operands: constants, in: graph)
  }

  /// Runs the reference evaluator on a one-node graph whose operands are the constants.
  private static func evaluate(_ node: Node, operands: [Constant?], in graph: Graph) throws(ModelError) -> [Constant] {
    var single = Graph(name: node.name)
    var inputs: [ValueID?] = []
    for (slot, constant) in operands.enumerated() {
      guard let constant, let original = node.input(slot) else {
        inputs.append(nil)
        continue
      }
      inputs.append(single.addConstant(name: graph[original].name, constant))
    }
    let results = node.outputs.map { (name: graph[$0].name, type: graph.type(of: $0)) }
    single.appendNode(name: node.name, op: node.op, inputs: inputs, results: results)
    single.outputs = single.nodes[0].outputs
    return try ReferenceEvaluator.evaluate(single, inputs: [:]).map(FoldedConstant.make)
  }
}
