/// A node where a skip connection comes back into the main path: the end of a residual block.
///
/// Three forms, before and after fusion:
/// - an `Add` (or `Sum`) of tensors of the same shape, none a constant: `y = f(x) + x`, `y = f(x) + proj(x)`.
///   A broadcast operand (a bias, a per-channel scale) is never a skip, so operands must have equal types;
/// - a Conv, Gemm or MatMul whose epilogue adds a residual (the fused form of the above): the residual operand
///   is the skip, the rest is the main path;
/// - a `Concat` that keeps its input next to what was computed from it (DenseNet's `cat(x, f(x))`). A
///   concatenation of tensors that merely share a source (attention heads) is not a skip; `ResidualBlocks`
///   keeps a Concat only when one operand is the block's source itself.
///
/// An Add followed by LayerNormalization (post-LN transformers) is an `add` join whose LayerNorm the block
/// takes as its trailing op; after `fuse-add-layernorm` the LayerNorm carries the residual itself and is the
/// join, as a ScaleShift with a residual epilogue and a Highway's GatedSkip (whose X is the skip) are.
struct ResidualJoin {
  var node: Node
  var position: Int
  var kind: ResidualBlock.JoinKind
  /// The distinct non-constant operands, in slot order: the branches whose common source starts the block.
  var branches: [ValueID]
  /// The operand known to be the skip (an epilogue's residual slot); nil when path lengths decide.
  var residual: ValueID?

  /// The join `node` forms, or nil when it merges no skip.
  static func find(_ node: Node, at position: Int, in graph: Graph) -> ResidualJoin? {
    let branches = distinctComputedOperands(node, graph)
    guard branches.count >= 2 else { return nil }
    let join = { (kind: ResidualBlock.JoinKind, residual: ValueID?) in
      ResidualJoin(node: node, position: position, kind: kind, branches: branches, residual: residual)
    }
    switch node.op {
    case .binary(let op):
      return op == .add && sameTypes(branches, graph) ? join(.add, nil) : nil
    case .variadic(let op):
      return op == .sum && sameTypes(branches, graph) ? join(.add, nil) : nil
    case .conv, .gemm, .matMul, .scaleShift, .layerNormalization:
      return fusedResidual(node, branches).map { join(.epilogue, $0) }
    case .gatedSkip:
      // T·H + (1 − T)·X: X is the skip the gate lets through.
      return node.input(2).flatMap { branches.contains($0) ? join(.epilogue, $0) : nil }
    case .concat:
      return join(.concat, nil)
    case .batchNormalization, .lrn, .unary, .clip, .where, .cast, .maxPool, .averagePool,
      .globalAveragePool, .reduceMean, .reduce, .softmax, .flatten, .reshape, .transpose, .split, .slice, .squeeze,
      .unsqueeze, .gather, .shape, .expand, .constantOfShape, .pad, .range, .scatterND, .gatherElements, .cumSum,
      .trilu, .resize, .argReduce, .topK, .identity, .dropout, .lstm, .gru, .rnn:
      return nil
    }
  }

  /// The residual operand of a node that adds one in its epilogue (or, for LayerNorm, before normalizing).
  private static func fusedResidual(_ node: Node, _ branches: [ValueID]) -> ValueID? {
    guard node.op.addsResidual, let residual = node.input(Op.residualSlot), branches.contains(residual) else { return nil }
    return residual
  }

  /// Operands that are computed (graph inputs or node results, not constants), each once, in slot order.
  private static func distinctComputedOperands(_ node: Node, _ graph: Graph) -> [ValueID] {
    var seen = Set<ValueID>()
    return node.presentInputs.filter { graph.constant($0) == nil && seen.insert($0).inserted }
  }

  private static func sameTypes(_ values: [ValueID], _ graph: Graph) -> Bool {
    guard let first = values.first else { return false }
    return values.allSatisfy { graph.type(of: $0).provablyEquals(graph.type(of: first)) }
  }
}
