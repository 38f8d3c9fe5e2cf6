/// Who reads each value: derived from the nodes on demand, never stored in the graph, so a rewrite cannot
/// leave it stale. Passes build one per iteration.
public struct UseList: Sendable {
  /// A read of a value: by a node's operand slot, or as a graph output.
  public enum Use: Sendable, Hashable {
    case operand(node: NodeID, slot: Int)
    case graphOutput(index: Int)
  }

  private var uses: [ValueID: [Use]] = [:]

  public init(_ graph: Graph) {
    for node in graph.nodes {
      for (slot, input) in node.inputs.enumerated() {
        guard let input else { continue }
        uses[input, default: []].append(.operand(node: node.id, slot: slot))
      }
    }
    for (index, output) in graph.outputs.enumerated() {
      uses[output, default: []].append(.graphOutput(index: index))
    }
  }

  /// Every use of `value`, in node order then output order.
  public subscript(value: ValueID) -> [Use] { uses[value] ?? [] }

  /// Number of uses (an operand used twice by one node counts twice).
  public func count(of value: ValueID) -> Int { uses[value]?.count ?? 0 }

  public func isGraphOutput(_ value: ValueID) -> Bool {
    self[value].contains { if case .graphOutput = $0 { true } else { false } }
  }
}
