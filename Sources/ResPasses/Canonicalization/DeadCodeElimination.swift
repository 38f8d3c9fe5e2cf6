import ResIR

/// Removes nodes none of whose results reach a graph output. Every op in the IR is pure, so a node whose
/// results nobody reads can go. One backward sweep over the nodes: no recursion, linear time.
public struct DeadCodeElimination: GraphPass {
  public init() {}
  public let name = "dead-code"

  public func run(on graph: inout Graph, context: inout PassContext) throws(ModelError) {
    var live = Set(graph.outputs)
    var keep = Set<NodeID>()
    for node in graph.nodes.reversed() where node.outputs.contains(where: live.contains) {
      keep.insert(node.id)
      live.formUnion(node.presentInputs)
    }
    let dead = graph.nodes.filter { !keep.contains($0.id) }
    for node in dead { context.recordApplied(name, node: node.name, "removed: no result is used") }
    graph.removeNodes(Set(dead.map(\.id)))
  }
}
