/// A residual block found in a graph: the region between a skip's source and the node that adds the skip back,
/// shown as one unit by `--dump blocks`.
///
/// The same block is recognized before and after fusion: in the imported graph it ends at an `Add` (followed
/// by its ReLU), in the optimized one at a convolution whose epilogue reads the skip. Node lists are in graph
/// order and hold only nodes this block owns: a block nested inside another (DenseNet's growing concatenations)
/// keeps its nodes, and the outer block refers to it by label.
public struct ResidualBlock: Sendable, Hashable {
  /// How the skip comes back.
  public enum JoinKind: String, Sendable, Hashable {
    /// An `Add`/`Sum` node of equal-shaped tensors.
    case add
    /// The residual operand of a Conv, Gemm or MatMul epilogue (a fused Add).
    case epilogue
    /// A `Concat` of the block's input with what was computed from it (DenseNet).
    case concat
  }

  /// What one skip operand carries from the source to the join.
  public enum Skip: Sendable, Hashable {
    /// The source itself.
    case identity
    /// A path of nodes this block owns, source first (a projection: a strided 1x1 convolution).
    case path([NodeID])
    /// A value from elsewhere: a block nested in this one, or a node outside it.
    case value(ValueID)
  }

  /// Short, unique among the graph's units: the common scope of the block's node names (`layer3.1`).
  public var label: String
  /// The value the skip starts from: where the main path and the skip split.
  public var source: ValueID
  /// The node that adds the skip back.
  public var join: NodeID
  public var joinKind: JoinKind
  /// Every node the block owns, in graph order (leading ops, main path, skips, side nodes, trailing ops).
  public var nodes: [NodeID]
  /// Ops before the source that belong to the block by name: a pre-activation block's BN → ReLU, whose result
  /// both paths read.
  public var leading: [NodeID]
  /// The main path from the source to the join, the join excluded. `mainStart` is the value it starts from:
  /// the source, or the result of a block nested in this one.
  public var mainPath: [NodeID]
  public var mainStart: ValueID
  /// One entry per skip operand, in operand order.
  public var skips: [Skip]
  /// The join is the last node of the skip (a projection convolution that took the main path's result as its
  /// epilogue residual: when an Add joins two convolutions, fusion picks which one carries it) rather than of
  /// the main path.
  public var joinIsOnSkip: Bool
  /// The path from the source to a gate both branches read (a Highway layer's `T` in `T·H + (1−T)·x`); empty
  /// for an ordinary residual block.
  public var gate: [NodeID]
  /// Activations (or a post-LN LayerNorm) right after the join, which the join's result feeds alone.
  public var trailing: [NodeID]

  /// Owned nodes on neither the main path, a skip nor the trailing ops (an attention block's key and value
  /// projections).
  public var sideNodeCount: Int {
    let skipNodes = skips.reduce(0) { count, skip in
      if case .path(let nodes) = skip { return count + nodes.count }
      return count
    }
    let joinOnPaths = joinIsOnSkip ? 0 : 1
    return nodes.count - leading.count - gate.count - mainPath.count - joinOnPaths - skipNodes - trailing.count
  }
}
