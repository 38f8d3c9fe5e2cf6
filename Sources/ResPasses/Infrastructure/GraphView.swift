import ResIR

/// A read-only view of a graph with the analyses patterns need: who produces and who reads each value.
///
/// The analyses live in a `GraphIndex`, derived from the nodes and never stored in the graph (DESIGN.md §3): a
/// pattern pass builds one per sweep and keeps it current through each rewrite's recorded edits, so the view a
/// pattern matches against is never stale. `init(_:)` builds a fresh index (linear and hash-free).
public struct GraphView: Sendable {
  public let graph: Graph
  private let index: GraphIndex

  public init(_ graph: Graph) {
    self.init(graph, index: GraphIndex(graph))
  }

  init(_ graph: Graph, index: GraphIndex) {
    self.graph = graph
    self.index = index
  }

  /// The node that computes `value`, or nil for graph inputs, constants and absent operands.
  public func producer(of value: ValueID?) -> Node? {
    guard let value, let position = index.producerPosition(of: value) else { return nil }
    return graph.nodes[position]
  }

  /// The node with `id`, if it is in the graph: `graph.node(id)` without its linear search.
  public func node(_ id: NodeID) -> Node? {
    index.position(of: id).map { graph.nodes[$0] }
  }

  /// Where node `id` sits in `graph.nodes`, if it is in the graph: `graph.position(of:)` without its search.
  public func position(of id: NodeID) -> Int? { index.position(of: id) }

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

  /// Every use of `value` (node operands and graph outputs), in node order then output order.
  public func uses(of value: ValueID) -> [UseList.Use] { index.uses(of: value) }

  /// Uses of `value` (an operand used twice by one node counts twice).
  public func useCount(of value: ValueID) -> Int { index.useCount(of: value) }

  public func isGraphOutput(_ value: ValueID) -> Bool {
    uses(of: value).contains { if case .graphOutput = $0 { true } else { false } }
  }

  /// The nodes that read `value`, in graph order (a node reading it twice appears once).
  public func consumers(of value: ValueID) -> [Node] {
    var seen = Set<NodeID>()
    var result: [Node] = []
    for use in uses(of: value) {
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
    let earliest = index.isTopologicallyOrdered ? (position(of: id) ?? 0) : 0
    var stack = [value]
    var visited = Set<ValueID>()
    while let v = stack.popLast() {
      guard visited.insert(v).inserted, let position = index.producerPosition(of: v), position >= earliest else {
        continue
      }
      let node = graph.nodes[position]
      if node.id == id { return true }
      stack.append(contentsOf: node.presentInputs)
    }
    return false
  }
}
