import ResIR

/// A ReduceMean over every spatial axis that keeps them (`x.mean((2, 3), keepdim=True)`) becomes the
/// GlobalAveragePool it is.
///
/// ## Before
/// ```
/// %s = ReduceMean "se.mean" (%x) {axes=[2,3], keepdims=1} : f32[1,576,3,3] → f32[1,576,1,1]
/// ```
/// ## After
/// ```
/// %s = GlobalAveragePool "se.mean" (%x) : f32[1,576,1,1]
/// ```
/// timm's and torchvision's squeeze-and-excitation blocks (MobileNetV3, GhostNet, EfficientNet ports) squeeze
/// with a mean rather than an adaptive pooling. GlobalAveragePool has a channels-last variant that reads a
/// channels-last region's tensor where it is; ReduceMean has none, so every such block cost two reorders.
/// -O2: the pooling sums in its own order (the mean is the same up to rounding).
///
/// Declined: a mean that drops the reduced axes or misses one spatial axis (not a pooling), an integer tensor.
/// Not considered: tensors of rank 3, whose last axis is as often a transformer's features as positions.
public struct RecognizeGlobalAveragePool: RewritePattern {
  public init() {}
  public let name = "recognize-global-average-pool"

  public struct Match {
    var node: NodeID
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard case .reduceMean(let axes?, let keepDims) = node.op, let input = node.input(0) else {
      return .notApplicable
    }
    let type = view.type(of: input)
    let rank = type.rank
    // Images and volumes only: the last axis of a rank-3 tensor is as often a transformer's features
    // (`[B, T, D]`, whose mean belongs to a LayerNorm) as a 1-D signal's positions.
    guard rank >= 4 else { return .notApplicable }
    let normalized = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
    guard normalized == Set(2..<rank) else {
      return .declined("the mean is over axes \(axes.sorted()), not every spatial axis of a rank-\(rank) tensor")
    }
    guard keepDims else { return .declined("the mean drops the spatial axes; a pooling keeps them as size 1") }
    guard type.dtype.isFloatingPoint else { return .declined("the tensor is \(type.dtype.rawValue), not a float type") }
    return .matched(Match(node: node.id))
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    _ = graph.updateNode(match.node) { node in
      node.op = .globalAveragePool
      node.inputs = Array(node.inputs.prefix(1))
    }
  }
}
