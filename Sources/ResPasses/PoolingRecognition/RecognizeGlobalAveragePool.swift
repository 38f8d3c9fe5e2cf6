import ResIR

/// A ReduceMean over every spatial axis (`x.mean((2, 3), keepdim=True)`) becomes the GlobalAveragePool it
/// is; one that drops those axes (`x.mean([2, 3])`, MNASNet's and timm's classifier heads) becomes the
/// pooling and a Reshape to `[N, C]`, which is a view.
///
/// ## Before
/// ```
/// %s = ReduceMean "se.mean" (%x) {axes=[2,3], keepdims=1} : f32[1,576,3,3] → f32[1,576,1,1]
/// %h = ReduceMean "head" (%y) {axes=[2,3], keepdims=0} : f32[1,1280,7,7] → f32[1,1280]
/// ```
/// ## After
/// ```
/// %s = GlobalAveragePool "se.mean" (%x) : f32[1,576,1,1]
/// %p = GlobalAveragePool "head" (%y) : f32[1,1280,1,1]
/// %h = Reshape "head" (%p, [0,-1]) : f32[1,1280]
/// ```
/// timm's and torchvision's squeeze-and-excitation blocks (MobileNetV3, GhostNet, EfficientNet ports) squeeze
/// with a mean rather than an adaptive pooling. GlobalAveragePool has a channels-last variant that reads a
/// channels-last region's tensor where it is; ReduceMean has none, so every such block cost two reorders, and
/// MNASNet's head a reorder of its last 7x7x1280 tensor and a reduction walked element by element (0.023 ms at
/// 224 px, where onnxruntime's pooling is lost in the noise). -O2: the pooling sums in its own order (the mean
/// is the same up to rounding).
///
/// Declined: a mean that misses one spatial axis (not a pooling), an integer tensor.
/// Not considered: tensors of rank 3, whose last axis is as often a transformer's features as positions.
public struct RecognizeGlobalAveragePool: RewritePattern {
  public init() {}
  public let name = "recognize-global-average-pool"

  public struct Match {
    var node: NodeID
    /// Whether the mean keeps the spatial axes as size 1 (else a Reshape drops them).
    var keepsAxes: Bool
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
    guard type.dtype.isFloatingPoint else { return .declined("the tensor is \(type.dtype.rawValue), not a float type") }
    return .matched(Match(node: node.id, keepsAxes: keepDims))
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    guard !match.keepsAxes, let mean = graph.node(match.node), let input = mean.input(0) else {
      _ = graph.updateNode(match.node) { node in
        node.op = .globalAveragePool
        node.inputs = Array(node.inputs.prefix(1))
      }
      return
    }
    let type = graph.type(of: input)
    let pooledShape = Array(type.shape.prefix(2)) + Array(repeating: Dim.known(1), count: type.rank - 2)
    let pooling = graph.makeNode(
      name: mean.name, op: .globalAveragePool, inputs: [input],
      results: [("\(graph[mean.outputs[0]].name)_pooled", TensorType(type.dtype, pooledShape))])
    // [N, C]: the batch copied (0), the channels the rest (-1), so a symbolic batch needs no shape arithmetic.
    let shape = graph.addConstant(name: "\(mean.name)_shape", Constant(int64s: [0, -1], dims: [2]))
    var reshape = graph.makeNode(
      name: mean.name, op: .reshape(allowZero: false), inputs: [pooling.outputs[0], shape], results: [])
    reshape.outputs = [mean.outputs[0]]
    graph.insert(pooling, before: mean.id)
    graph.insert(reshape, before: mean.id)
    graph.removeNodes([mean.id])
  }
}
