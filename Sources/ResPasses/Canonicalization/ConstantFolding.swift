import ResIR
import ResReference

/// Computes before run time what can be known before run time: every node whose operands are all constants
/// (evaluated by ResReference, the project's oracle), and every node whose results shape inference knows
/// completely (`Shape` of a value with static dimensions, and the `Gather → Unsqueeze → Concat` arithmetic
/// PyTorch exports build on it). Their results become constants and the nodes disappear.
///
/// One implementation serves two clients, so that the optimizer and the code generator never disagree about
/// what a constant is:
/// - the `fold-constants` pass (`.optimization`), on graphs whose symbolic dimensions are still symbolic: a
///   value that depends on a symbolic batch is partly known at best, so it stays a node;
/// - ResCodegen's preparation (`.lowering`), after every input dimension was bound: a plan cannot run shape
///   arithmetic, so it folds at every optimization level.
///
/// Nodes are visited in order and re-inferred on the way, so a node whose operands were just folded is
/// folded too, and shape inference's known values flow through the folded graph. Nodes whose results no graph
/// output needs are left alone (dead code elimination removes them; evaluating them would be wasted work).
///
/// Size: a result above `elementLimit` elements stays a node when it is larger than its largest operand (a
/// plan should not store a large constant that one step can expand, like ConstantOfShape or Expand); one no
/// larger than its largest operand is folded whatever its size (a Cast or Transpose of a weight: the plan
/// stores the result instead of the operand, and no step repeats the conversion on every run).
package struct ConstantFolding: Sendable {
  /// Results up to this many elements are folded (2^20: a 4 MB float32 tensor).
  package static let defaultElementLimit = 1 << 20

  /// Who folds, which decides what happens to types and to graph outputs.
  package enum Purpose: Sendable {
    /// The optimizer. Recorded types stay (the importer may have refined them from the model's declarations
    /// beyond what inference derives). A node with a graph output stays: the output's value is the plan's
    /// public name, and a folded result would be a new constant value with a derived name.
    case optimization
    /// The code generator, after binding every input dimension. Types are re-inferred from the bound inputs
    /// (the recorded ones still have symbols), and graph outputs may become constants (the generator keeps
    /// the model's output names beside the plan).
    case lowering
  }

  /// What happened to one node that was a candidate.
  package enum Outcome: Sendable, Hashable {
    case folded(node: String)
    case declined(node: String, reason: String)
  }

  package var purpose: Purpose
  package var elementLimit: Int

  package init(purpose: Purpose, elementLimit: Int = ConstantFolding.defaultElementLimit) {
    self.purpose = purpose
    self.elementLimit = elementLimit
  }

  /// Folds `graph` in place; returns the candidates in graph order, folded or declined with the reason.
  /// Throws when evaluating a node of constants fails (a Gather index out of range in the model's own
  /// constants): the model could never run, and the error names the node.
  package func run(_ graph: inout Graph) throws(ModelError) -> [Outcome] {
    let live = ConstantFolding.liveNodes(of: graph)
    let graphOutputs = Set(graph.outputs)
    var inference = ShapeInference()
    var replacements: [ValueID: ValueID] = [:]
    var folded = [Bool](repeating: false, count: graph.nodes.count)
    var outcomes: [Outcome] = []
    for position in graph.nodes.indices {
      let inputs = graph.nodes[position].inputs
      let remapped = inputs.map { $0.map { replacements[$0] ?? $0 } }
      if remapped != inputs { graph.nodes[position].inputs = remapped }
      try infer(at: position, &inference, &graph)
      let node = graph.nodes[position]
      guard live[position] else { continue }
      switch try decision(for: node, in: graph, inference: inference, graphOutputs: graphOutputs) {
      case .notACandidate:
        continue
      case .declined(let reason):
        outcomes.append(.declined(node: node.name, reason: reason))
      case .fold(let constants):
        for (output, constant) in zip(node.outputs, constants) {
          replacements[output] = graph.addConstant(name: graph[output].name, constant)
        }
        folded[position] = true
        outcomes.append(.folded(node: node.name))
      }
    }
    graph.nodes = graph.nodes.indices.filter { !folded[$0] }.map { graph.nodes[$0] }
    graph.outputs = graph.outputs.map { replacements[$0] ?? $0 }
    return outcomes
  }

  /// Infers the node's result types; for the optimizer, then puts the recorded types back (a verified graph's
  /// recorded types refine the inferred ones, and later nodes must see them, as the verifier does). The known
  /// values inference derived stay in `inference` either way.
  private func infer(at position: Int, _ inference: inout ShapeInference, _ graph: inout Graph) throws(ModelError) {
    switch purpose {
    case .lowering:
      try inference.inferNode(at: position, in: &graph)
    case .optimization:
      let outputs = graph.nodes[position].outputs
      let recorded = outputs.map { graph.type(of: $0) }
      try inference.inferNode(at: position, in: &graph)
      for (output, type) in zip(outputs, recorded) { graph.setType(type, of: output) }
    }
  }

  // MARK: - One node

  private enum Decision {
    case notACandidate
    case declined(String)
    case fold([Constant])
  }

  private func decision(
    for node: Node, in graph: Graph, inference: ShapeInference, graphOutputs: Set<ValueID>
  ) throws(ModelError) -> Decision {
    if let operands = constantOperands(of: node, in: graph) {
      if let reason = outputGuard(node, graph, graphOutputs) ?? sizeGuard(node, operands, graph) {
        return .declined(reason)
      }
      return .fold(try evaluate(node, operands: operands, in: graph))
    }
    let known = node.outputs.map { inference.elements(of: $0, in: graph) }
    guard known.contains(where: { $0 != nil }) else { return .notACandidate }
    if let reason = knowledgeGuard(node, known, graph) ?? outputGuard(node, graph, graphOutputs) {
      return .declined(reason)
    }
    return .fold(zip(node.outputs, known).map { output, elements in
      ConstantFolding.constant(graph.type(of: output), numbers: (elements ?? []).compactMap(\.value))
    })
  }

  /// The operands when every present one is a constant (at least one must be present), else nil. Absent
  /// optional operands stay `nil` in their slots.
  private func constantOperands(of node: Node, in graph: Graph) -> [Constant?]? {
    guard !node.presentInputs.isEmpty else { return nil }
    var constants: [Constant?] = []
    for input in node.inputs {
      guard let input else {
        constants.append(nil)
        continue
      }
      guard let constant = graph.constant(input) else { return nil }
      constants.append(constant)
    }
    return constants
  }

  /// The optimizer keeps nodes whose results are graph outputs (see `Purpose.optimization`).
  private func outputGuard(_ node: Node, _ graph: Graph, _ graphOutputs: Set<ValueID>) -> String? {
    guard purpose == .optimization, let output = node.outputs.first(where: graphOutputs.contains) else { return nil }
    return "its result '\(graph[output].name)' is a graph output, whose name a folded constant would not keep"
  }

  /// A result that grows beyond the limit and beyond every operand stays a node, except a Range's: a plan has
  /// no Range step, so its result is a constant whatever its size.
  private func sizeGuard(_ node: Node, _ operands: [Constant?], _ graph: Graph) -> String? {
    if case .range = node.op { return nil }
    let largestOperand = operands.compactMap { $0?.elementCount }.max() ?? 0
    let limit = max(elementLimit, largestOperand)
    for output in node.outputs {
      let type = graph.type(of: output)
      guard let count = type.elementCount else {
        return "its result '\(graph[output].name)' has the type \(type), whose size is not known"
      }
      guard count <= limit else {
        return "its result \(type) would be a constant of \(count) elements, more than its largest operand "
          + "(\(largestOperand)) and the folding limit (\(elementLimit))"
      }
    }
    return nil
  }

  /// Every element of every result must be a known number: a symbolic size (the batch) or an unknown element
  /// is only known at run time.
  private func knowledgeGuard(_ node: Node, _ known: [[Dim]?], _ graph: Graph) -> String? {
    for (output, elements) in zip(node.outputs, known) {
      let name = graph[output].name
      guard let elements else { return "the value of its result '\(name)' is not known before run time" }
      let spelled = "[" + elements.map(\.description).joined(separator: ",") + "]"
      let symbols = elements.compactMap { if case .symbol(let s) = $0 { s } else { nil } }
      if let symbol = symbols.first {
        return "its result '\(name)' = \(spelled) depends on the symbolic dimension \(symbol)"
      }
      guard elements.allSatisfy({ $0.value != nil }) else {
        return "its result '\(name)' = \(spelled) is only partly known before run time"
      }
    }
    return nil
  }

  // MARK: - Results as constants

  /// Runs the reference evaluator on a one-node graph whose operands are the constants.
  private func evaluate(_ node: Node, operands: [Constant?], in graph: Graph) throws(ModelError) -> [Constant] {
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
    return try ReferenceEvaluator.evaluate(single, inputs: [:]).map { Constant($0) }
  }

  /// A result inference knows completely (its type is static: it is small enough to be tracked), from its
  /// elements: integers exactly, floats are the whole numbers inference tracks, booleans 0 or 1.
  private static func constant(_ type: TensorType, numbers: [Int]) -> Constant {
    let dims = type.knownDims ?? [numbers.count]
    return Constant(ReferenceTensor(dtype: type.dtype, shape: dims, integers: numbers.map { Int64($0) }))
  }

  /// Which nodes some graph output needs, through any operand: one backward sweep (a loop, so a 10,000-node
  /// chain costs no stack).
  private static func liveNodes(of graph: Graph) -> [Bool] {
    var liveValues = Set(graph.outputs)
    var live = [Bool](repeating: false, count: graph.nodes.count)
    for position in graph.nodes.indices.reversed()
    where graph.nodes[position].outputs.contains(where: liveValues.contains) {
      live[position] = true
      liveValues.formUnion(graph.nodes[position].presentInputs)
    }
    return live
  }
}
