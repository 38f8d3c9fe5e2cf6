/// Who reads each value: derived from the nodes on demand, never stored in the graph, so a rewrite cannot
/// leave it stale. Pattern passes rebuild one after every rewrite, so it is built in two linear passes into
/// flat arrays indexed by value (value IDs are dense): no hashing, two allocations whatever the graph's size.
public struct UseList: Sendable {
  /// A read of a value: by a node's operand slot, or as a graph output.
  public enum Use: Sendable, Hashable {
    case operand(node: NodeID, slot: Int)
    case graphOutput(index: Int)
  }

  /// The uses of value `v` are `uses[starts[v] ..< starts[v + 1]]`, in node order then output order.
  private let starts: [Int]
  private let uses: [Use]

  public init(_ graph: Graph) {
    let valueCount = graph.values.count
    var counts = [Int](repeating: 0, count: valueCount + 1)
    // By index, reading only `inputs` and `id`: copying each node would retain all of its arrays.
    for position in graph.nodes.indices {
      for case let input? in graph.nodes[position].inputs { counts[input.index + 1] += 1 }
    }
    for output in graph.outputs { counts[output.index + 1] += 1 }
    for index in 0..<valueCount { counts[index + 1] += counts[index] }
    var next = counts
    var uses = [Use](repeating: .graphOutput(index: 0), count: counts[valueCount])
    for position in graph.nodes.indices {
      let id = graph.nodes[position].id
      for (slot, input) in graph.nodes[position].inputs.enumerated() {
        guard let input else { continue }
        uses[next[input.index]] = .operand(node: id, slot: slot)
        next[input.index] += 1
      }
    }
    for (index, output) in graph.outputs.enumerated() {
      uses[next[output.index]] = .graphOutput(index: index)
      next[output.index] += 1
    }
    starts = counts
    self.uses = uses
  }

  /// Every use of `value`, in node order then output order.
  public subscript(value: ValueID) -> [Use] { Array(uses[range(of: value)]) }

  /// Number of uses (an operand used twice by one node counts twice).
  public func count(of value: ValueID) -> Int { range(of: value).count }

  public func isGraphOutput(_ value: ValueID) -> Bool {
    uses[range(of: value)].contains { if case .graphOutput = $0 { true } else { false } }
  }

  /// Where `value`'s uses sit in `uses` (empty for a value the graph does not have).
  private func range(of value: ValueID) -> Range<Int> {
    guard value.index >= 0, value.index + 1 < starts.count else { return 0..<0 }
    return starts[value.index]..<starts[value.index + 1]
  }
}
