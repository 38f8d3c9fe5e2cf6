import ResIR

/// Where each node of a graph sits, which node produces each value, which operands read it, and whether the
/// nodes are in topological order: what `GraphView` answers patterns from. A pattern pass builds it once per
/// sweep and then follows the edits each rewrite records (`GraphEdit`) instead of rebuilding it.
///
/// Why: a pattern must see the graph as the last rewrite left it, and rebuilding reads every node (a few
/// hundred nanoseconds each, mostly reference counting), so k rewrites on n nodes cost k·n: fusing the
/// 30,000 BatchNorms, residual Adds and ReLUs of 10,000 residual blocks took two minutes. Following a rewrite
/// costs its neighbourhood (the values the nodes it touched read and produce) plus one shift of integer
/// positions per node it inserts or removes.
///
/// Everything is in flat arrays indexed by node and value ID (both dense), except the uses of values edits
/// have touched, which override the use list built with the index.
struct GraphIndex {
  /// Position in `graph.nodes` by node ID index; -1 for nodes not in the graph.
  private var positions: [Int]
  /// Index of the ID of the node producing each value (by value index); -1 for none.
  private var producers: [Int]
  /// Uses as the index was built; `rewrittenUses` overrides the values edits touched since.
  private let builtUses: UseList
  private var rewrittenUses: [ValueID: [UseList.Use]] = [:]
  /// How many operands of each node (by ID index) come from a node that is not before it.
  private var misplacedOperands: [Int]
  /// The sum of `misplacedOperands`: zero when the nodes are in topological order.
  private var misplacedTotal = 0

  init(_ graph: Graph) {
    let largestID = graph.nodes.indices.reduce(-1) { max($0, graph.nodes[$1].id.index) }
    positions = [Int](repeating: -1, count: largestID + 1)
    producers = [Int](repeating: -1, count: graph.values.count)
    misplacedOperands = [Int](repeating: 0, count: largestID + 1)
    builtUses = UseList(graph)
    // By index, reading only the fields needed: a copy of each node would retain all of its arrays.
    for position in graph.nodes.indices {
      positions[graph.nodes[position].id.index] = position
      for output in graph.nodes[position].outputs { producers[output.index] = graph.nodes[position].id.index }
    }
    for position in graph.nodes.indices {
      let misplaced = misplacedCount(graph.nodes[position].inputs, at: position)
      misplacedOperands[graph.nodes[position].id.index] = misplaced
      misplacedTotal += misplaced
    }
  }

  // MARK: - Queries

  /// Position of node `id` in `graph.nodes`, or nil if it is not in the graph.
  func position(of id: NodeID) -> Int? {
    guard positions.indices.contains(id.index), positions[id.index] >= 0 else { return nil }
    return positions[id.index]
  }

  /// Position of the node producing `value`, or nil for graph inputs, constants and values nothing produces.
  func producerPosition(of value: ValueID) -> Int? {
    guard producers.indices.contains(value.index), producers[value.index] >= 0 else { return nil }
    return position(of: NodeID(producers[value.index]))
  }

  /// Every use of `value`, in node order then output order (as `UseList` has them).
  func uses(of value: ValueID) -> [UseList.Use] { rewrittenUses[value] ?? builtUses[value] }

  /// How many uses `value` has (an operand read twice by one node counts twice).
  func useCount(of value: ValueID) -> Int { rewrittenUses[value]?.count ?? builtUses.count(of: value) }

  /// Whether every node comes after the producers of its operands.
  var isTopologicallyOrdered: Bool { misplacedTotal == 0 }

  // MARK: - Following edits

  /// Brings the index up to date with `graph`, which `edits` (oldest first) turned from the graph the index
  /// last described into this one.
  mutating func apply(_ edits: [GraphEdit], to graph: Graph) {
    guard !edits.isEmpty else { return }
    var touched = TouchedNodes()
    var outputsBefore: [ValueID]?
    for edit in edits {
      switch edit {
      case .inserted(let id, let position):
        touched.note(id, before: nil)
        shiftPositions(from: position, by: 1)
        setPosition(of: id, to: position)
      case .removed(let node, let position):
        touched.note(node.id, before: node)
        setPosition(of: node.id, to: -1)
        shiftPositions(from: position + 1, by: -1)
      case .changed(let node):
        touched.note(node.id, before: node)
      case .outputsChanged(let before):
        outputsBefore = outputsBefore ?? before
      }
    }
    let now = touched.ids.map { id in position(of: id).map { graph.nodes[$0] } }
    updateProducers(touched, now: now, valueCount: graph.values.count)
    updateUses(touched, now: now, outputsBefore: outputsBefore, graph: graph)
    updateOrder(touched, now: now, graph: graph)
  }

  private mutating func setPosition(of id: NodeID, to position: Int) {
    if id.index >= positions.count {
      positions += [Int](repeating: -1, count: id.index + 1 - positions.count)
      misplacedOperands += [Int](repeating: 0, count: id.index + 1 - misplacedOperands.count)
    }
    positions[id.index] = position
  }

  /// Adds `delta` to every position at or after `first`: the nodes an insertion or removal moved.
  private mutating func shiftPositions(from first: Int, by delta: Int) {
    positions.withUnsafeMutableBufferPointer { buffer in
      for index in buffer.indices where buffer[index] >= first { buffer[index] += delta }
    }
  }

  /// The touched nodes' old results lose their producer, then their current results gain it (in that order: a
  /// fusion moves a result from one touched node to another).
  private mutating func updateProducers(_ touched: TouchedNodes, now: [Node?], valueCount: Int) {
    if producers.count < valueCount { producers += [Int](repeating: -1, count: valueCount - producers.count) }
    for (id, before) in zip(touched.ids, touched.before) {
      for output in before?.outputs ?? [] where producers[output.index] == id.index { producers[output.index] = -1 }
    }
    for case let node? in now {
      for output in node.outputs { producers[output.index] = node.id.index }
    }
  }

  /// Rewrites the use lists of the values the touched nodes read before or read now (and of the graph's old and
  /// new outputs when those changed): their operand uses replaced by the current ones, in graph order.
  private mutating func updateUses(_ touched: TouchedNodes, now: [Node?], outputsBefore: [ValueID]?, graph: Graph) {
    var affected = Set<ValueID>()
    for node in touched.before + now { if let node { affected.formUnion(node.presentInputs) } }
    if let outputsBefore { affected.formUnion(outputsBefore + graph.outputs) }
    let touchedIDs = Set(touched.ids)
    for value in affected {
      var list = uses(of: value).filter { use in
        switch use {
        case .operand(let id, _): !touchedIDs.contains(id)
        case .graphOutput: outputsBefore == nil
        }
      }
      for case let node? in now {
        for (slot, input) in node.inputs.enumerated() where input == value {
          list.append(.operand(node: node.id, slot: slot))
        }
      }
      if outputsBefore != nil {
        for (index, output) in graph.outputs.enumerated() where output == value { list.append(.graphOutput(index: index)) }
      }
      rewrittenUses[value] = list.sorted { order(of: $0) < order(of: $1) }
    }
  }

  /// Sort key giving `UseList`'s order: operands by node position then slot, then graph outputs by index.
  private func order(of use: UseList.Use) -> (Int, Int, Int) {
    switch use {
    case .operand(let id, let slot): (0, position(of: id) ?? -1, slot)
    case .graphOutput(let index): (1, index, 0)
    }
  }

  /// Recounts the misplaced operands of every node whose operands' producers may have moved relative to it:
  /// the touched nodes (moved, or reading other values) and the readers of what they produced or produce now.
  /// Insertions and removals keep the relative order of every other pair of nodes.
  private mutating func updateOrder(_ touched: TouchedNodes, now: [Node?], graph: Graph) {
    var recount = Set(touched.ids)
    for node in touched.before + now {
      for output in node?.outputs ?? [] {
        for case .operand(let reader, _) in uses(of: output) { recount.insert(reader) }
      }
    }
    for id in recount {
      let misplaced = position(of: id).map { misplacedCount(graph.nodes[$0].inputs, at: $0) } ?? 0
      misplacedTotal += misplaced - misplacedOperands[id.index]
      misplacedOperands[id.index] = misplaced
    }
  }

  /// How many of `inputs` are produced by a node at `position` or later.
  private func misplacedCount(_ inputs: [ValueID?], at position: Int) -> Int {
    inputs.reduce(0) { count, input in
      guard let input, let producer = producerPosition(of: input), producer >= position else { return count }
      return count + 1
    }
  }

  /// Whether this index says the same as `fresh`, one built from `graph`: every node's position, every value's
  /// producer and uses, and the order. Debug builds check it after every rewrite.
  func agrees(with fresh: GraphIndex, in graph: Graph) -> Bool {
    let nodeIDs = max(positions.count, fresh.positions.count)
    return (0..<nodeIDs).allSatisfy { position(of: NodeID($0)) == fresh.position(of: NodeID($0)) }
      && graph.values.indices.allSatisfy { index in
        let value = ValueID(index)
        return producerPosition(of: value) == fresh.producerPosition(of: value) && uses(of: value) == fresh.uses(of: value)
      }
      && isTopologicallyOrdered == fresh.isTopologicallyOrdered
  }
}

/// The nodes a batch of edits touched, each once, in the order first touched, with its state before the batch
/// (nil for a node the batch created).
private struct TouchedNodes {
  private(set) var ids: [NodeID] = []
  private(set) var before: [Node?] = []
  private var seen = Set<NodeID>()

  mutating func note(_ id: NodeID, before node: Node?) {
    guard seen.insert(id).inserted else { return }
    ids.append(id)
    before.append(node)
  }
}
