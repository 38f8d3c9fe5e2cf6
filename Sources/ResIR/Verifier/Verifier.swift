/// Checks the invariants every pass may rely on, so that a broken rewrite is caught at the pass that made it
/// rather than as a wrong answer later.
///
/// In order: graph inputs and constants are well formed; nodes are in SSA order (every operand is a graph
/// input, a constant, or a result of an earlier node; every value is defined once); each node matches its
/// op's schema; graph outputs are defined; and every recorded type agrees with what shape inference derives
/// from the node's recorded operand types, epilogues included. Every walk is a loop, never recursion.
public enum Verifier {
  public static func verify(_ graph: Graph) throws(ModelError) {
    try checkGraphInputs(graph)
    try checkConstants(graph)
    try checkDefinitions(graph)
    try checkTypes(graph)
  }

  private static func checkGraphInputs(_ graph: Graph) throws(ModelError) {
    var listed = [Bool](repeating: false, count: graph.values.count)
    for input in graph.inputs {
      guard graph.values.indices.contains(input.index) else {
        throw ModelError("graph input \(input) does not exist")
      }
      let value = graph[input]
      guard case .graphInput = value.definition else {
        throw ModelError("graph input '\(value.name)' is not defined as a graph input")
      }
      guard !listed[input.index] else { throw ModelError("graph input '\(value.name)' is listed twice") }
      listed[input.index] = true
      if let negative = value.type.shape.first(where: { ($0.value ?? 0) < 0 }) {
        throw ModelError("graph input '\(value.name)' has negative dimension \(negative)")
      }
      if TensorType.checkedProduct(value.type.shape.compactMap(\.value)) == nil {
        throw ModelError("graph input '\(value.name)' \(value.type) has more elements than fit in a 64-bit integer")
      }
    }
  }

  private static func checkConstants(_ graph: Graph) throws(ModelError) {
    for value in graph.values {
      guard let constant = value.constant else { continue }
      guard value.type == constant.type else {
        throw ModelError("constant '\(value.name)' is typed \(value.type) but holds \(constant.type)")
      }
    }
  }

  /// SSA order, single definitions, node schemas and graph outputs.
  private static func checkDefinitions(_ graph: Graph) throws(ModelError) {
    let producers = try producerPositions(graph)
    var defined = graph.values.map { value -> Bool in
      if case .constant = value.definition { return true }
      return false
    }
    for input in graph.inputs { defined[input.index] = true }

    for node in graph.nodes {
      for (slot, operand) in node.inputs.enumerated() {
        guard let operand, !defined[operand.index] else { continue }
        let name = graph[operand].name
        if let producer = producers[operand.index] {
          throw ModelError(
            node, "operand \(slot + 1) ('\(name)') is used before node '\(graph.nodes[producer].name)' defines it")
        }
        throw ModelError(node, "operand \(slot + 1) ('\(name)') is not defined")
      }
      for result in node.outputs {
        defined[result.index] = true
      }
    }
    for output in graph.outputs {
      guard graph.values.indices.contains(output.index) else {
        throw ModelError("graph output \(output) does not exist")
      }
      guard defined[output.index] else { throw ModelError("graph output '\(graph[output].name)' is not defined") }
    }
  }

  /// For each value, the position of the node that produces it. Checks each node's schema and that every
  /// result is a fresh node result, produced by exactly one node.
  private static func producerPositions(_ graph: Graph) throws(ModelError) -> [Int?] {
    var producers = [Int?](repeating: nil, count: graph.values.count)
    var nodeIDs = Set<NodeID>()
    for (position, node) in graph.nodes.enumerated() {
      guard nodeIDs.insert(node.id).inserted else { throw ModelError(node, "node id \(node.id) is used twice") }
      try node.checkStructure(valueCount: graph.values.count)
      for result in node.outputs {
        let value = graph[result]
        switch value.definition {
        case .graphInput: throw ModelError(node, "result '\(value.name)' redefines a graph input")
        case .constant: throw ModelError(node, "result '\(value.name)' redefines a constant")
        case .nodeResult: break
        }
        if let earlier = producers[result.index] {
          throw ModelError(node, "result '\(value.name)' is already produced by node '\(graph.nodes[earlier].name)'")
        }
        producers[result.index] = position
      }
    }
    return producers
  }

  /// Re-infers every node from its recorded operand types (on a copy) and compares with the recorded result
  /// types. Checking node by node, rather than comparing with a fresh whole-graph inference, names the node
  /// where a type goes wrong and accepts types refined by a model's declarations.
  private static func checkTypes(_ graph: Graph) throws(ModelError) {
    var copy = graph
    var inference = ShapeInference()
    for (position, node) in graph.nodes.enumerated() {
      try inference.inferNode(at: position, in: &copy)
      for result in node.outputs {
        let recorded = graph.type(of: result)
        let inferred = copy.type(of: result)
        guard recorded.refines(inferred) else {
          throw ModelError(
            node, "result '\(graph[result].name)' is recorded as \(recorded) but inference gives \(inferred)")
        }
        copy.setType(recorded, of: result)
      }
    }
  }
}
