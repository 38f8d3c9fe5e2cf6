import ResIR

/// Orders a graph's nodes so that every node comes after the nodes producing its inputs.
///
/// ONNX requires nodes to be sorted, but some exporters and graph surgery tools emit them out of order. Kahn's
/// algorithm with a min-heap on the file position gives the sorted order closest to the file's: a graph that is
/// already sorted keeps its order exactly, so dumps match the model a user looks at. The walk is iterative,
/// so a 10,000-node chain cannot overflow the stack.
enum TopologicalOrder {
  /// Node positions in execution order.
  ///
  /// - Parameters:
  ///   - names: each node's name (generated when the model left it empty), for errors.
  ///   - available: tensors defined before any node runs: graph inputs and initializers.
  static func sort(
    _ nodes: [Onnx_NodeProto], names: [String], available: Set<String>
  ) throws(ModelError) -> [Int] {
    let producers = try producerPositions(nodes, names: names, available: available)
    let reads = nodes.map(reads)
    var successors = Array(repeating: [Int](), count: nodes.count)
    var pendingInputs = Array(repeating: 0, count: nodes.count)
    for (position, node) in nodes.enumerated() {
      for input in reads[position] where !input.isEmpty && !available.contains(input) {
        guard let producer = producers[input] else {
          let reader = node.input.contains(input) ? "input '\(input)'" : "'\(input)', which its subgraph reads,"
          throw ModelError(
            node: names[position], opType: node.opType,
            "\(reader) is not produced by any node and is not a graph input or initializer")
        }
        successors[producer].append(position)
        pendingInputs[position] += 1
      }
    }
    var ready = MinHeap()
    for position in nodes.indices where pendingInputs[position] == 0 { ready.insert(position) }
    var order: [Int] = []
    order.reserveCapacity(nodes.count)
    while let position = ready.popMinimum() {
      order.append(position)
      for successor in successors[position] {
        pendingInputs[successor] -= 1
        if pendingInputs[successor] == 0 { ready.insert(successor) }
      }
    }
    guard order.count == nodes.count else {
      let member = nodeOnCycle(reads, producers: producers, available: available, pendingInputs: pendingInputs)
      throw ModelError(node: names[member], opType: nodes[member].opType, "is part of a cycle in the graph")
    }
    return order
  }

  /// The values a node needs before it runs: its inputs, and for a control-flow node the outer values its
  /// subgraphs read (they are not listed as inputs).
  private static func reads(_ node: Onnx_NodeProto) -> [String] {
    Subgraphs.has(node) ? node.input + Subgraphs.outerReads(of: node) : node.input
  }

  /// Which node produces each tensor; a tensor defined twice is an error (the graph would not be SSA).
  private static func producerPositions(
    _ nodes: [Onnx_NodeProto], names: [String], available: Set<String>
  ) throws(ModelError) -> [String: Int] {
    var producers: [String: Int] = [:]
    for (position, node) in nodes.enumerated() {
      for output in node.output where !output.isEmpty {
        if available.contains(output) {
          throw ModelError(
            node: names[position], opType: node.opType,
            "output '\(output)' has the same name as a graph input or initializer")
        }
        if let earlier = producers[output] {
          throw ModelError(
            node: names[position], opType: node.opType,
            "output '\(output)' is also produced by node '\(names[earlier])'")
        }
        producers[output] = position
      }
    }
    return producers
  }

  /// A node that lies on a cycle. Every node left unsorted waits on another unsorted node, so following those
  /// edges from any of them must revisit a node, and the first node revisited is on a cycle.
  private static func nodeOnCycle(
    _ reads: [[String]], producers: [String: Int], available: Set<String>, pendingInputs: [Int]
  ) -> Int {
    guard var current = pendingInputs.firstIndex(where: { $0 > 0 }) else { return 0 }
    var visited = Set<Int>()
    while visited.insert(current).inserted {
      let waitingOn = reads[current].lazy
        .filter { !$0.isEmpty && !available.contains($0) }
        .compactMap { producers[$0] }
        .first { pendingInputs[$0] > 0 }
      guard let next = waitingOn else { return current }
      current = next
    }
    return current
  }
}

/// A binary min-heap of node positions.
private struct MinHeap {
  private var items: [Int] = []

  mutating func insert(_ item: Int) {
    items.append(item)
    var child = items.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      guard items[child] < items[parent] else { break }
      items.swapAt(child, parent)
      child = parent
    }
  }

  mutating func popMinimum() -> Int? {
    guard let last = items.popLast() else { return nil }
    guard !items.isEmpty else { return last }
    let minimum = items[0]
    items[0] = last
    var parent = 0
    while true {
      let left = 2 * parent + 1
      let right = left + 1
      var smallest = parent
      if left < items.count, items[left] < items[smallest] { smallest = left }
      if right < items.count, items[right] < items[smallest] { smallest = right }
      guard smallest != parent else { break }
      items.swapAt(parent, smallest)
      parent = smallest
    }
    return minimum
  }
}
