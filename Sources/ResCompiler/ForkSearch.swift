/// Finds where a join's branches split: the latest value (in graph order) that every branch is computed from.
/// For `f(x) + x` and `f(x) + proj(x)` that is `x`, the block's source.
///
/// Walks the nodes backward from the join, one position at a time, carrying for each value the set of branches
/// that read it. Every reader of a value comes after it, so when the walk reaches a node, the sets on its
/// results are complete; the first result that every branch reaches is the fork. The walk covers only the
/// positions between the join and its fork (plus the fork's producer) and is a loop, never recursion, so a
/// 10,000-node chain costs nothing but time. It stops early when no branch has anything left to climb.
struct ForkSearch {
  /// The fork and the nodes between it and the join.
  struct Fork {
    var source: ValueID
    /// Position of the node producing the source; -1 for a graph input.
    var sourcePosition: Int
    /// Positions strictly between the source and the join that some branch reads from, ascending.
    var ancestors: [Int]
  }

  let graph: Graph
  let producers: [ValueID: Int]

  /// The fork of `branches`, values read by the node at `position`.
  func fork(of branches: [ValueID], before position: Int) -> Fork? {
    let branchCount = branches.count
    var reached: [ValueID: BranchMask] = [:]
    var pending = Set<ValueID>()
    for (branch, value) in branches.enumerated() {
      reached[value, default: BranchMask(count: branchCount)].insert(branch)
      if producers[value] != nil { pending.insert(value) }
    }
    var ancestors: [Int] = []
    var position = position - 1
    while position >= 0, !pending.isEmpty {
      let node = graph.nodes[position]
      var mask = BranchMask(count: branchCount)
      var isAncestor = false
      for output in node.outputs {
        guard let outputMask = reached[output] else { continue }
        if outputMask.isFull {
          return Fork(source: output, sourcePosition: position, ancestors: ancestors.reversed())
        }
        isAncestor = true
        mask.formUnion(outputMask)
        pending.remove(output)
      }
      if isAncestor {
        ancestors.append(position)
        for input in node.presentInputs where graph.constant(input) == nil {
          reached[input, default: BranchMask(count: branchCount)].formUnion(mask)
          if producers[input] != nil { pending.insert(input) }
        }
      }
      position -= 1
    }
    guard let input = graph.inputs.first(where: { reached[$0]?.isFull == true }) else { return nil }
    return Fork(source: input, sourcePosition: -1, ancestors: ancestors.reversed())
  }
}

/// A set of branch indices (a join may have many: DenseNet concatenates every earlier layer).
struct BranchMask: Hashable {
  private var words: [UInt64]
  private let count: Int

  init(count: Int) {
    self.count = count
    words = Array(repeating: 0, count: (count + 63) / 64)
  }

  mutating func insert(_ branch: Int) {
    words[branch / 64] |= 1 << UInt64(branch % 64)
  }

  mutating func formUnion(_ other: BranchMask) {
    for index in words.indices { words[index] |= other.words[index] }
  }

  var isFull: Bool {
    words.indices.allSatisfy { index in
      let bits = min(64, count - index * 64)
      let full: UInt64 = bits == 64 ? .max : (1 << UInt64(bits)) - 1
      return words[index] & full == full
    }
  }
}
