/// Finds the residual blocks of a graph and decides which block owns each node (`ResidualBlocks` assembles
/// and labels the result).
///
/// A block's region is every node between its source and its join that is computed from the source and that
/// the join reads, directly or not; the join and its trailing activations close it. Regions can nest (a block
/// inside a block, DenseNet's concatenations that keep every earlier layer): each node belongs to the smallest
/// region that contains it, and a join and its trailing ops always to their own block, so that every block
/// keeps its end.
struct BlockFinder {
  /// A block before labelling: its join, where it starts, and the positions it owns.
  struct Draft {
    var join: ResidualJoin
    var fork: ForkSearch.Fork
    /// The branches' own fork when the block had to start earlier (`widened`): a Highway gate.
    var gate: ValueID?
    var region: [Int]
    var trailing: [Int]
    /// Ops before the source that the block's names claim (`absorbingLeadingOps`).
    var leading: [Int] = []
    var owned: [Int] = []

    /// The names that describe the block, for its label: its nodes' but the trailing ops' (a pre-LN encoder's
    /// last Add feeds the final `/norm`, named after the enclosing module), and without the join too when the
    /// rest then share a scope and the join does not (`/Add` of `/layers.0/LSTM`).
    func labelNames(in graph: Graph) -> [String] {
      for excluded in [trailing, trailing + [join.position]] {
        let names = owned.filter { !excluded.contains($0) }.map { graph.nodes[$0].name }
        if names.isEmpty { break }
        if !NodeScope.common(names).isEmpty { return names }
      }
      return owned.map { graph.nodes[$0].name }
    }
  }

  let graph: Graph
  let producers: [ValueID: Int]
  private let uses: UseList
  private let positions: [NodeID: Int]

  init(_ graph: Graph) {
    self.graph = graph
    producers = graph.producers()
    uses = UseList(graph)
    positions = graph.nodePositions()
  }

  /// Every block, in join order, with the positions it owns.
  func drafts() -> [Draft] {
    let search = ForkSearch(graph: graph, producers: producers)
    var joins: [ResidualJoin] = []
    for (position, node) in graph.nodes.enumerated() {
      if let join = ResidualJoin.find(node, at: position, in: graph) { joins.append(join) }
    }
    let joinPositions = Set(joins.map(\.position))
    var drafts: [Draft] = []
    for join in joins {
      guard let fork = search.fork(of: join.branches, before: join.position) else { continue }
      if join.kind == .concat, !join.branches.contains(fork.source) { continue }
      let (wideFork, region) = widened(fork, join, search, joins: joinPositions)
      let gate = wideFork.source == fork.source ? nil : fork.source
      drafts.append(
        Draft(join: join, fork: wideFork, gate: gate, region: region, trailing: trailing(after: join.node)))
    }
    return assignOwnership(drafts)
  }

  /// Moves the fork up while the region reads values from before it: in a Highway layer
  /// `y = T·H + (1−T)·x` both branches read the gate `T`, so the branches' fork is `T`, but the region also
  /// reads `x` and `H`; the block starts at `x`. A wider region never swallows another join (that would merge
  /// blocks: a bias shared by every layer of a transformer must not make one block of them all).
  private func widened(
    _ fork: ForkSearch.Fork, _ join: ResidualJoin, _ search: ForkSearch, joins: Set<Int>
  ) -> (ForkSearch.Fork, [Int]) {
    var (fork, region) = (fork, region(between: fork, and: join))
    // Each step moves the fork strictly earlier; a few steps settle every shape seen in practice.
    for _ in 0..<8 {
      let earlier = valuesRead(by: region, before: fork)
      guard !earlier.isEmpty, let wider = search.fork(of: join.branches + earlier, before: join.position),
        wider.sourcePosition < fork.sourcePosition
      else { break }
      let widerRegion = self.region(between: wider, and: join)
      guard !widerRegion.contains(where: { $0 != join.position && joins.contains($0) }) else { break }
      (fork, region) = (wider, widerRegion)
    }
    return (fork, region)
  }

  /// Computed operands of region nodes that come from before the fork (graph inputs included).
  private func valuesRead(by region: [Int], before fork: ForkSearch.Fork) -> [ValueID] {
    var seen = Set<ValueID>()
    var values: [ValueID] = []
    for position in region {
      for input in graph.nodes[position].presentInputs where graph.constant(input) == nil && input != fork.source {
        guard (producers[input] ?? -1) < fork.sourcePosition, seen.insert(input).inserted else { continue }
        values.append(input)
      }
    }
    return values
  }

  /// The ancestors of the join that are computed from the source, then the join itself.
  private func region(between fork: ForkSearch.Fork, and join: ResidualJoin) -> [Int] {
    var dependent: Set<ValueID> = [fork.source]
    var region: [Int] = []
    for position in fork.ancestors {
      let node = graph.nodes[position]
      guard node.presentInputs.contains(where: dependent.contains) else { continue }
      region.append(position)
      dependent.formUnion(node.outputs)
    }
    return region + [join.position]
  }

  /// The activations (and a post-LN LayerNorm) after the join that only the join's result feeds: ReLU after
  /// `Add` belongs to the block, as it does in the paper's figure.
  private func trailing(after join: Node) -> [Int] {
    var result: [Int] = []
    var current = join
    while let value = current.outputs.first, uses.count(of: value) == 1, !uses.isGraphOutput(value),
      case .operand(let id, _)? = uses[value].first, let position = positions[id]
    {
      let next = graph.nodes[position]
      guard Self.closesABlock(next.op), next.presentInputs.filter({ graph.constant($0) == nil }) == [value] else {
        break
      }
      result.append(position)
      current = next
    }
    return result
  }

  /// Ops that may follow a join inside its block: elementwise activations and LayerNormalization.
  private static func closesABlock(_ op: Op) -> Bool {
    switch op {
    case .unary(let unary):
      switch unary {
      case .relu, .sigmoid, .tanh, .hardSwish, .leakyRelu, .hardSigmoid, .gelu, .mish, .elu: true
      case .erf, .sqrt, .abs, .neg, .exp, .log, .ceil, .floor, .round, .reciprocal, .sin, .cos, .softplus: false
      }
    case .clip, .layerNormalization: true
    case .conv, .gemm, .matMul, .batchNormalization, .lrn, .binary, .variadic, .where, .cast, .maxPool, .averagePool,
      .globalAveragePool, .reduceMean, .reduce, .softmax, .flatten, .reshape, .transpose, .concat, .split, .slice,
      .squeeze, .unsqueeze, .gather, .shape, .expand, .constantOfShape, .pad, .range, .scatterND, .gatherElements,
      .cumSum, .trilu, .resize, .argReduce, .topK, .identity, .dropout, .lstm, .gru, .rnn, .scaleShift, .gatedSkip:
      false
    }
  }

  /// Joins and trailing ops go to their own block; every other node to the smallest region holding it (the
  /// earlier join on a tie), so nested blocks keep their nodes.
  private func assignOwnership(_ drafts: [Draft]) -> [Draft] {
    var owner = Array(repeating: -1, count: graph.nodes.count)
    for (index, draft) in drafts.enumerated() {
      for position in [draft.join.position] + draft.trailing { owner[position] = index }
    }
    let bySize = drafts.indices.sorted { (drafts[$0].region.count, $0) < (drafts[$1].region.count, $1) }
    for index in bySize {
      for position in drafts[index].region where owner[position] == -1 { owner[position] = index }
    }
    var result = drafts
    for (position, index) in owner.enumerated() where index >= 0 { result[index].owned.append(position) }
    return result
  }

  /// Takes into each block the ops that compute its source when their names put them inside the block's core
  /// scope: a pre-activation ResNet's projection block reads `relu(bn(x))` on both paths, so that is where the
  /// paths fork, but `blocks.1/bn1` and `blocks.1/Relu` are the block's own first ops.
  func absorbingLeadingOps(_ drafts: [Draft], cores: [[String]]) -> [Draft] {
    var owned = Set(drafts.flatMap(\.owned))
    var result = drafts
    for index in drafts.indices where !cores[index].isEmpty {
      var value = drafts[index].fork.source
      var leading: [Int] = []
      while let position = producers[value], !owned.contains(position),
        let scope = NodeScope.of(graph.nodes[position].name), NodeScope.isInside(scope, cores[index])
      {
        leading.append(position)
        owned.insert(position)
        guard let next = graph.nodes[position].presentInputs.first(where: { graph.constant($0) == nil }) else {
          break
        }
        value = next
      }
      result[index].leading = leading.reversed()
      result[index].owned = (result[index].owned + leading).sorted()
    }
    return result
  }

  /// Positions no block owns, in runs of consecutive positions, each run split where its nodes move from one
  /// module to the next among the modules blocks are made of (MobileNetV2's `features.1` and `features.2`, which
  /// have no skip, become a line each rather than one line with the stem).
  func segments(outside drafts: [Draft], blockParents: [[String]]) -> [[Int]] {
    var owned = Array(repeating: false, count: graph.nodes.count)
    for draft in drafts { for position in draft.owned { owned[position] = true } }
    var runs: [[Int]] = []
    var lastKey: [String]?
    for position in graph.nodes.indices where !owned[position] {
      let key = moduleKey(position, blockParents)
      if let last = runs.last?.last, last == position - 1, key == lastKey {
        runs[runs.count - 1].append(position)
      } else {
        runs.append([position])
      }
      lastKey = key
    }
    return runs
  }

  /// The module a node belongs to among the children of the blocks' parent scopes (`features/features.2`),
  /// or nil outside them.
  private func moduleKey(_ position: Int, _ parents: [[String]]) -> [String]? {
    guard let scope = NodeScope.of(graph.nodes[position].name) else { return nil }
    let parent = parents.filter { scope.count > $0.count && NodeScope.isInside(scope, $0) }.max { $0.count < $1.count }
    return parent.map { $0 + [scope[$0.count]] }
  }
}
