import ResIR

/// A read-only view of a graph with the analyses patterns need: who produces and who reads each value.
///
/// Built once per driver sweep and rebuilt after every rewrite, so it is never stale; the analyses are derived
/// from the nodes, never stored in the graph (DESIGN.md §3). Rebuilding is linear and hash-free (value and
/// node IDs are dense, so the maps are arrays): a pass that applies hundreds of rewrites to a graph of
/// hundreds of nodes rebuilds it hundreds of times.
public struct GraphView: Sendable {
  public let graph: Graph
  public let uses: UseList
  /// Position in `graph.nodes` of the node producing each value (by value index), -1 for none.
  private let producerPositions: [Int]
  /// Position in `graph.nodes` of each node (by node index), -1 for nodes no longer in the graph.
  private let nodePositions: [Int]
  /// Whether every node comes after the producers of its operands (the verifier's rule between passes; a
  /// pass may break it for a moment between rewrites). Lets `depends` stop at nodes before the one it asks
  /// about.
  private let isTopologicallyOrdered: Bool

  public init(_ graph: Graph) {
    self.graph = graph
    self.uses = UseList(graph)
    var producers = [Int](repeating: -1, count: graph.values.count)
    let largestID = graph.nodes.indices.reduce(-1) { max($0, graph.nodes[$1].id.index) }
    var positions = [Int](repeating: -1, count: largestID + 1)
    // By index, reading only the fields needed: a copy of each node would retain all of its arrays, and a
    // pattern pass builds a view after every rewrite.
    for position in graph.nodes.indices {
      positions[graph.nodes[position].id.index] = position
      for output in graph.nodes[position].outputs { producers[output.index] = position }
    }
    producerPositions = producers
    nodePositions = positions
    isTopologicallyOrdered = graph.nodes.indices.allSatisfy { position in
      graph.nodes[position].inputs.allSatisfy { input in input.map { producers[$0.index] < position } ?? true }
    }
  }

  /// The node that computes `value`, or nil for graph inputs, constants and absent operands.
  public func producer(of value: ValueID?) -> Node? {
    guard let value, producerPositions.indices.contains(value.index) else { return nil }
    let position = producerPositions[value.index]
    return position < 0 ? nil : graph.nodes[position]
  }

  /// The node with `id`, if it is in the graph: `graph.node(id)` without its linear search.
  public func node(_ id: NodeID) -> Node? {
    guard nodePositions.indices.contains(id.index) else { return nil }
    let position = nodePositions[id.index]
    return position < 0 ? nil : graph.nodes[position]
  }

  /// The constant behind `value` (through Identity chains, which canonicalization removes but a pattern may
  /// run first), or nil.
  public func constant(_ value: ValueID?) -> Constant? {
    var current = value
    while let v = current {
      if let constant = graph.constant(v) { return constant }
      guard let node = producer(of: v), case .identity = node.op else { return nil }
      current = node.input(0)
    }
    return nil
  }

  public func type(of value: ValueID) -> TensorType { graph.type(of: value) }

  /// Uses of `value` (node operands and graph outputs).
  public func useCount(of value: ValueID) -> Int { uses.count(of: value) }

  public func isGraphOutput(_ value: ValueID) -> Bool { uses.isGraphOutput(value) }

  /// The nodes that read `value`, in graph order (a node reading it twice appears once).
  public func consumers(of value: ValueID) -> [Node] {
    var seen = Set<NodeID>()
    var result: [Node] = []
    for use in uses[value] {
      guard case .operand(let id, _) = use, !seen.contains(id), let node = node(id) else { continue }
      seen.insert(id)
      result.append(node)
    }
    return result
  }

  /// True when `value` is computed, directly or transitively, from the result of node `id`: fusing `id`'s
  /// output with `value` would then make the fused node depend on itself. Walks producers iteratively; in a
  /// topologically ordered graph only those after `id` can lie on such a path, so the walk stays between the
  /// two (a residual block's branch) instead of going back to the graph's inputs, which made fusing every
  /// residual Add of a deep network quadratic.
  public func depends(_ value: ValueID, on id: NodeID) -> Bool {
    let earliest = isTopologicallyOrdered ? (position(of: id) ?? 0) : 0
    var stack = [value]
    var visited = Set<ValueID>()
    while let v = stack.popLast() {
      guard visited.insert(v).inserted, let position = producerPosition(of: v), position >= earliest else {
        continue
      }
      let node = graph.nodes[position]
      if node.id == id { return true }
      stack.append(contentsOf: node.presentInputs)
    }
    return false
  }

  private func position(of id: NodeID) -> Int? {
    guard nodePositions.indices.contains(id.index), nodePositions[id.index] >= 0 else { return nil }
    return nodePositions[id.index]
  }

  private func producerPosition(of value: ValueID) -> Int? {
    guard producerPositions.indices.contains(value.index), producerPositions[value.index] >= 0 else { return nil }
    return producerPositions[value.index]
  }
}
