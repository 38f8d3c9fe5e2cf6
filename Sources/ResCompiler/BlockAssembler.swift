/// Turns a `BlockFinder.Draft` into a `ResidualBlock`: which operand is the main path and which the skip, and
/// the nodes along each.
struct BlockAssembler {
  let graph: Graph
  let producers: [ValueID: Int]

  func block(from draft: BlockFinder.Draft) -> ResidualBlock {
    let owned = Set(draft.owned)
    let join = draft.join
    let source = draft.fork.source
    let stops = Set([source] + [draft.gate].compactMap { $0 })
    let gate = draft.gate.map { chain(from: $0, to: [source], within: owned, avoiding: []).positions } ?? []
    let (main, joinIsOnSkip) = mainOperand(of: join, within: owned)
    let mainChain = chain(from: main, to: stops, within: owned, avoiding: Set(gate))
    let skipOperands = join.residual == nil || main == join.residual
      ? join.branches.filter { $0 != main } : [join.residual].compactMap { $0 }
    let used = Set(gate + mainChain.positions)
    let skips = skipOperands.map { operand -> ResidualBlock.Skip in
      let skipChain = chain(from: operand, to: stops, within: owned, avoiding: used)
      let positions = skipChain.positions + (joinIsOnSkip ? [join.position] : [])
      if !positions.isEmpty { return .path(positions.map(id)) }
      return skipChain.start == source ? .identity : .value(skipChain.start)
    }
    return ResidualBlock(
      label: "", source: source, join: join.node.id, joinKind: join.kind, nodes: draft.owned.map(id),
      leading: draft.leading.map(id), mainPath: mainChain.positions.map(id), mainStart: mainChain.start,
      skips: skips, joinIsOnSkip: joinIsOnSkip, gate: gate.map(id), trailing: draft.trailing.map(id))
  }

  private func id(_ position: Int) -> NodeID { graph.nodes[position].id }

  /// The main path is the branch with the most work behind it, inside the block: the most layers with weights
  /// (convolutions and matrix products), then the most nodes, then the first in operand order (`out + identity`
  /// and `identity + out` read the same; CIFAR's option-A shortcut, slice → slice → pad, has more nodes than
  /// two convolutions but no weights). For an epilogue join the convolution itself counts on its input's side;
  /// when the residual operand has more behind it, the join is a projection on the skip and the residual is the
  /// main path.
  private func mainOperand(of join: ResidualJoin, within owned: Set<Int>) -> (ValueID, joinIsOnSkip: Bool) {
    if join.kind == .epilogue, let residual = join.residual, let input = join.node.input(0),
      graph.constant(input) == nil
    {
      let inputSide = work(behind: input, within: owned)
      let withJoin = Work(layers: inputSide.layers + 1, nodes: inputSide.nodes + 1)
      let onSkip = work(behind: residual, within: owned) > withJoin
      return onSkip ? (residual, true) : (input, false)
    }
    let candidates = join.branches.filter { $0 != join.residual }
    // A join has at least two distinct computed operands, so one besides the residual.
    guard var best = candidates.first else { return (join.branches[0], false) }
    var bestWork = work(behind: best, within: owned)
    for candidate in candidates.dropFirst() {
      let candidateWork = work(behind: candidate, within: owned)
      if candidateWork > bestWork { (best, bestWork) = (candidate, candidateWork) }
    }
    return (best, false)
  }

  /// Work behind a value: layers with weights first, then nodes.
  private struct Work: Comparable {
    var layers: Int
    var nodes: Int

    static func < (a: Work, b: Work) -> Bool { (a.layers, a.nodes) < (b.layers, b.nodes) }
  }

  /// The owned nodes `value` is computed from (its producer included), by an iterative walk.
  private func work(behind value: ValueID, within owned: Set<Int>) -> Work {
    var seen = Set<Int>()
    var layers = 0
    var stack = [value]
    while let current = stack.popLast() {
      guard let position = producers[current], owned.contains(position), seen.insert(position).inserted else {
        continue
      }
      let node = graph.nodes[position]
      if node.op.epilogue != nil { layers += 1 }
      stack += node.presentInputs.filter { graph.constant($0) == nil }
    }
    return Work(layers: layers, nodes: seen.count)
  }

  /// The owned nodes from `value` back toward the source, following at each node the computed operand with the
  /// most work behind it (the first on a tie); `start` is where the walk stopped: a value in `stops` (the
  /// source, a gate), a node in `avoiding` (already drawn on another path), or a value from outside the block.
  private func chain(from value: ValueID, to stops: Set<ValueID>, within owned: Set<Int>, avoiding: Set<Int>)
    -> (positions: [Int], start: ValueID)
  {
    let allowed = owned.subtracting(avoiding)
    var positions: [Int] = []
    var current = value
    // Positions only decrease along operands in a verified graph; the check keeps a malformed one finite.
    while !stops.contains(current), let position = producers[current], allowed.contains(position),
      position < positions.last ?? Int.max
    {
      positions.append(position)
      let operands = graph.nodes[position].presentInputs.filter { graph.constant($0) == nil }
      guard var next = operands.first else { break }
      var nextWork = work(behind: next, within: allowed)
      for operand in operands.dropFirst() {
        let operandWork = work(behind: operand, within: allowed)
        if operandWork > nextWork { (next, nextWork) = (operand, operandWork) }
      }
      current = next
    }
    return (positions.reversed(), current)
  }
}
