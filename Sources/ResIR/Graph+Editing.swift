/// The small set of edits passes make to a graph. Each keeps the graph in SSA form if the caller respects
/// topological order; the verifier checks that after every pass in tests and debug builds.
///
/// A fusion should let the fused node *produce the last value of the chain it absorbs* (a Conv that absorbs a
/// Relu takes over the Relu's result value) rather than rewire uses to the first: the graph's outputs keep
/// their names, which are the compiled plan's public API.
extension Graph {
  /// The position of node `id` in `nodes`, or nil if it is no longer in the graph. Linear: callers that look up
  /// many nodes build `nodePositions()` once.
  public func position(of id: NodeID) -> Int? {
    nodes.indices.first { nodes[$0].id == id }
  }

  /// Node ID → position in `nodes`.
  public func nodePositions() -> [NodeID: Int] {
    var map: [NodeID: Int] = [:]
    map.reserveCapacity(nodes.count)
    for (position, node) in nodes.enumerated() { map[node.id] = position }
    return map
  }

  /// The node with `id`, if it is still in the graph.
  public func node(_ id: NodeID) -> Node? {
    position(of: id).map { nodes[$0] }
  }

  /// Makes every operand and graph output that reads `old` read `new` instead.
  public mutating func replaceAllUses(of old: ValueID, with new: ValueID) {
    guard old != new else { return }
    for position in nodes.indices where nodes[position].inputs.contains(old) {
      record(.changed(before: nodes[position]))
      for slot in nodes[position].inputs.indices where nodes[position].inputs[slot] == old {
        nodes[position].inputs[slot] = new
      }
    }
    guard outputs.contains(old) else { return }
    record(.outputsChanged(before: outputs))
    for index in outputs.indices where outputs[index] == old {
      outputs[index] = new
    }
  }

  /// Removes the nodes whose IDs are in `ids` (their result values stay in the value table, unused), keeping
  /// the others in order. A pattern pass calls this once per rewrite with a node or two: those are found by ID
  /// alone and removed by moving the nodes after them down, since `removeAll(where:)` copied every node it
  /// tested (retaining all of its arrays) and hashed every ID, and deep networks take thousands of rewrites.
  public mutating func removeNodes(_ ids: Set<NodeID>) {
    let few = ids.count <= Self.fewNodes
    let targets = Array(ids)
    let positions = nodes.indices.filter { few ? targets.contains(nodes[$0].id) : ids.contains(nodes[$0].id) }
    // Last first: each recorded position is the node's position when it goes.
    for position in positions.reversed() { record(.removed(nodes[position], position: position)) }
    if few {
      for position in positions.reversed() { nodes.remove(at: position) }
    } else {
      nodes.removeAll { ids.contains($0.id) }
    }
  }

  /// Up to this many nodes, `removeNodes` removes them one at a time.
  private static let fewNodes = 8

  /// Applies `change` to node `id`. Returns false if the node is no longer in the graph.
  @discardableResult
  public mutating func updateNode(_ id: NodeID, _ change: (inout Node) -> Void) -> Bool {
    guard let position = position(of: id) else { return false }
    record(.changed(before: nodes[position]))
    change(&nodes[position])
    return true
  }

  /// Puts `node` where node `id` is, in its place (the epilogue fusions' fused node takes the place of the
  /// last node it absorbs). Returns false if `id` is no longer in the graph.
  @discardableResult
  public mutating func replaceNode(_ id: NodeID, with node: Node) -> Bool {
    guard let position = position(of: id) else { return false }
    if node.id == id {
      record(.changed(before: nodes[position]))
    } else {
      record(.removed(nodes[position], position: position))
      record(.inserted(node.id, position: position))
    }
    nodes[position] = node
    return true
  }

  /// Inserts `node` (made with `makeNode`) right before node `id`, or at the end if `id` is nil.
  public mutating func insert(_ node: Node, before id: NodeID?) {
    let target = id.flatMap { position(of: $0) } ?? nodes.count
    record(.inserted(node.id, position: target))
    nodes.insert(node, at: target)
  }
}
