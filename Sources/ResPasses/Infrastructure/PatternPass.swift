import ResIR

/// Runs a set of rewrite patterns greedily to a fixed point: a sweep tries every pattern on every node in
/// order and applies the first that matches; sweeps repeat until one changes nothing, or the iteration limit
/// is hit (then the pass stops and records it — a pattern pair that undoes each other must not hang the
/// compiler).
///
/// Patterns always see the current graph: the sweep's `GraphIndex` follows the edits each rewrite records. A
/// decline is recorded once per (pattern, node) — the reason from the last sweep — and dropped if the node
/// later disappears.
public struct PatternPass: GraphPass {
  public let name: String
  public let patterns: [any RewritePattern]

  public init(name: String, patterns: [any RewritePattern]) {
    self.name = name
    self.patterns = patterns
  }

  public func run(on graph: inout Graph, context: inout PassContext) throws(ModelError) {
    let active = patterns.filter { context.isEnabled($0.name) }
    var declines: [DeclineKey: String] = [:]
    graph.startRecordingEdits()
    defer { graph.stopRecordingEdits() }
    for _ in 0..<context.iterationLimit {
      guard sweep(&graph, active, &context, &declines) else {
        record(declines, in: graph, &context)
        return
      }
    }
    record(declines, in: graph, &context)
    context.recordDeclined(name, node: graph.name, reason: "stopped after \(context.iterationLimit) sweeps without reaching a fixed point")
  }

  /// One pass over the nodes; returns whether anything changed.
  private func sweep(
    _ graph: inout Graph, _ active: [any RewritePattern], _ context: inout PassContext,
    _ declines: inout [DeclineKey: String]
  ) -> Bool {
    var changed = false
    var index = GraphIndex(graph)
    for id in graph.nodes.map(\.id) {
      guard let position = index.position(of: id) else { continue }
      let node = graph.nodes[position]
      for pattern in active {
        if apply(pattern, to: node, index: &index, graph: &graph, context: &context, declines: &declines) {
          changed = true
          break
        }
      }
    }
    return changed
  }

  /// Tries one pattern on one node (generic so the pattern's `Match` type is known). The view lives only for
  /// the match: while it holds the graph's arrays, a rewrite that edits them would copy them whole.
  private func apply<P: RewritePattern>(
    _ pattern: P, to node: Node, index: inout GraphIndex, graph: inout Graph, context: inout PassContext,
    declines: inout [DeclineKey: String]
  ) -> Bool {
    switch pattern.match(node, in: GraphView(graph, index: index)) {
    case .notApplicable:
      return false
    case .declined(let reason):
      declines[DeclineKey(pattern: pattern.name, node: node.name)] = reason
      return false
    case .matched(let match):
      pattern.rewrite(match, in: &graph)
      index.apply(graph.takeEdits(), to: graph)
      assert(
        index.agrees(with: GraphIndex(graph), in: graph),
        "\(pattern.name) edited the graph without its editing methods; the pass's index no longer describes it")
      declines[DeclineKey(pattern: pattern.name, node: node.name)] = nil
      context.recordApplied(pattern.name, node: node.name)
      return true
    }
  }

  /// Records the final declines in graph order (then pattern name), for nodes still in the graph.
  private func record(_ declines: [DeclineKey: String], in graph: Graph, _ context: inout PassContext) {
    var order: [String: Int] = [:]
    for (position, node) in graph.nodes.enumerated() where order[node.name] == nil { order[node.name] = position }
    let live = declines.compactMap { key, reason in order[key.node].map { (position: $0, key: key, reason: reason) } }
    for entry in live.sorted(by: { ($0.position, $0.key.pattern) < ($1.position, $1.key.pattern) }) {
      context.recordDeclined(entry.key.pattern, node: entry.key.node, reason: entry.reason)
    }
  }

  private struct DeclineKey: Hashable {
    var pattern: String
    var node: String
  }
}
