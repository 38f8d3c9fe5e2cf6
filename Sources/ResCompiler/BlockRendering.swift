/// `--dump blocks`: the network one unit per line, residual blocks as chains.
///
/// ```
/// stem      conv3x3+relu → maxpool3x3/2   (2 steps)
/// blocks.0  conv1x1+relu → conv3x3+relu → conv1x1 ⊕ conv1x1 → relu   (4 steps)
/// blocks.1  conv1x1+relu → conv3x3+relu → conv1x1 ⊕ identity → relu   (3 steps)
/// head      globalavgpool → flatten → gemm   (2 steps)
/// ```
/// A block reads along its main path from its source to its join; `⊕ X` adds the skip X back (`identity`, or
/// the projection on the skip path, parenthesized when it is more than one node), `‖ X` concatenates it, and
/// `→ relu` after it is the activation that follows (fused into the join's epilogue or a node of its own).
/// `[gate: ...]` is what both paths of a gated skip read (a Highway layer's `T` in `T·H + (1−T)·x`).
/// `⟨label⟩` names another unit whose result a block reads (a block nested in it). Nodes of a block on
/// neither path (an attention block's key and value projections) are counted, not drawn. Steps are the plan
/// steps of the unit's nodes when the plan is known, nodes otherwise.
public enum BlockRendering {
  public static func render(
    _ graph: Graph, stepCounts: [String: Int]? = nil, modelChanges: [String] = []
  ) -> String {
    let structure = ResidualBlocks(graph)
    let context = Context(graph: graph, structure: structure)
    let width = structure.units.map(\.label.count).max() ?? 0
    var lines = [
      "// \(graph.name): \(structure.blocks.count) blocks with skips (⊕ adds one back, ‖ concatenates it), "
        + (stepCounts == nil ? "(N nodes) counts IR nodes" : "(N steps) counts plan steps")
    ]
    for unit in structure.units {
      lines.append(
        "\(TextColumn.left(unit.label, width: width))  \(context.chain(of: unit))   (\(context.size(of: unit, stepCounts)))")
    }
    return DumpFormat.commentLines(modelChanges) + lines.joined(separator: "\n") + "\n"
  }

  /// What one text line shows of a unit, for other renderings of the same structure (`BlockJSON`).
  struct Context {
    let graph: Graph
    let structure: ResidualBlocks
    let positions: [NodeID: Int]

    init(graph: Graph, structure: ResidualBlocks) {
      self.graph = graph
      self.structure = structure
      positions = graph.nodePositions()
    }

    /// The unit's line after its label and before its size: a block's chain, a segment's nodes.
    func chain(of unit: ResidualBlocks.Unit) -> String {
      switch unit {
      case .block(let block): chain(of: block)
      case .segment(let segment): segment.nodes.map(spell).joined(separator: " → ")
      }
    }

    /// Plan steps of the unit's nodes, or nil without a plan.
    func steps(of unit: ResidualBlocks.Unit, _ stepCounts: [String: Int]?) -> Int? {
      stepCounts.map { counts in unit.nodes.reduce(0) { $0 + (node($1).flatMap { counts[$0.name] } ?? 0) } }
    }

    func node(_ id: NodeID) -> Node? { positions[id].map { graph.nodes[$0] } }

    func spell(_ id: NodeID) -> String {
      node(id).map { BlockGlyph.spellWithActivation($0, in: graph) } ?? "?"
    }

    /// Main path, join and skips, the join's activation, trailing ops.
    func chain(of block: ResidualBlock) -> String {
      var parts: [String] = []
      if block.mainStart != block.source, let unit = structure.unit(producing: block.mainStart) {
        parts.append("⟨\(unit.label)⟩")
      }
      parts += (block.leading + block.mainPath).map(spell)
      let join = node(block.join).map { BlockGlyph.spell($0, in: graph) }
      if block.joinKind == .epilogue, !block.joinIsOnSkip, let join { parts.append(join.op) }
      var text = parts.joined(separator: " → ")
      text += (text.isEmpty ? "" : " ") + skipsText(block, joinOp: join?.op)
      if block.joinKind == .epilogue, let activation = join?.activation { text += " → " + activation }
      for id in block.trailing { text += " → " + spell(id) }
      if !block.gate.isEmpty { text += "   [gate: \(block.gate.map(spell).joined(separator: " → "))]" }
      return text
    }

    /// `⊕ identity`, `⊕ conv1x1/2`, `⊕ (avgpool2x2/2 → conv1x1)`, `‖ identity ‖ ⟨features.1⟩`.
    private func skipsText(_ block: ResidualBlock, joinOp: String?) -> String {
      let symbol = block.joinKind == .concat ? "‖" : "⊕"
      let shown = block.skips.prefix(3).map { "\(symbol) \(spell($0, join: block.join, joinOp: joinOp))" }
      let more = block.skips.count > 3 ? " \(symbol) … (\(block.skips.count - 3) more)" : ""
      return shown.joined(separator: " ") + more
    }

    /// A skip operand's path; the join, when it is the skip's projection, without its activation (which
    /// follows the add).
    private func spell(_ skip: ResidualBlock.Skip, join: NodeID, joinOp: String?) -> String {
      switch skip {
      case .identity: return "identity"
      case .path(let nodes):
        let chain = nodes.map { $0 == join ? joinOp ?? "?" : spell($0) }.joined(separator: " → ")
        return nodes.count > 1 ? "(\(chain))" : chain
      case .value(let value):
        return structure.unit(producing: value).map { "⟨\($0.label)⟩" } ?? graph[value].name
      }
    }

    /// `3 steps`, `4 steps; 8 nodes beside the main path`.
    func size(of unit: ResidualBlocks.Unit, _ stepCounts: [String: Int]?) -> String {
      var text: String
      if let steps = steps(of: unit, stepCounts) {
        text = steps == 1 ? "1 step" : "\(steps) steps"
      } else {
        text = unit.nodes.count == 1 ? "1 node" : "\(unit.nodes.count) nodes"
      }
      if case .block(let block) = unit, block.sideNodeCount > 0 {
        text += "; \(block.sideNodeCount) beside the main path"
      }
      return text
    }
  }
}
