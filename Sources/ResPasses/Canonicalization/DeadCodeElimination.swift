import ResIR

/// Removes nodes none of whose results reach a graph output. Every op in the IR is pure, so a node whose
/// results nobody reads can go. One backward sweep over the nodes: no recursion, linear time.
///
/// The pipeline runs it twice under two names: last (`dead-code`), and before the fusion stage
/// (`dead-code-before-fusion`), whose patterns count a value's readers and would decline for a reader that is
/// itself unread.
public struct DeadCodeElimination: GraphPass {
  public let name: String

  public init(name: String = "dead-code") { self.name = name }

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
