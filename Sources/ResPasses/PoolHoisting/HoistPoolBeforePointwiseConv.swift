import ResIR

/// An average pooling of a 1x1 convolution's result pools the convolution's input instead, and the
/// convolution runs on the pooled positions: a 1x1 convolution with a bias is affine per position, and an
/// average's weights sum to one, so `pool(W·x + b) = W·pool(x) + b`.
///
/// ## Before
/// ```
/// %c = Conv "transition.conv" (%x, @w, @b) {group=1, kernel_shape=[1,1], pads=[0,0,0,0], strides=[1,1]} : f32[1,128,56,56]
/// %y = AveragePool "transition.pool" (%c) {kernel_shape=[2,2], pads=[0,0,0,0], strides=[2,2]} : f32[1,128,28,28]
/// ```
/// ## After
/// ```
/// %x.pooled = AveragePool "transition.pool" (%x) {kernel_shape=[2,2], pads=[0,0,0,0], strides=[2,2]} : f32[1,256,28,28]
/// %y = Conv "transition.conv" (%x.pooled, @w, @b) {group=1, kernel_shape=[1,1], pads=[0,0,0,0], strides=[1,1]} : f32[1,128,28,28]
/// ```
/// DenseNet's transition layers (BN → ReLU → 1x1 conv → 2x2 average pool) were 12 % of DenseNet-121's run:
/// three 1x1 convolutions at 56x56, 28x28 and 14x14 that now run on a quarter of the positions, while the
/// pooling reads twice the channels. A GlobalAveragePool after a 1x1 (a convolutional classifier head) moves
/// the same way, the convolution then computing one position.
///
/// Runs before the epilogue fusions: the convolution's result must reach the pooling directly, with no
/// activation between (an activation after the pooling is not involved and stays where it is). -O2: the sums
/// are taken in another order.
///
/// Declined, each with its reason: a convolution that is not 1x1 at stride 1 without padding, that has a
/// prologue or an epilogue beyond its bias, or whose result is read by anything else or is a graph output; a
/// pooling with padding (its average would count padded cells, or not, where the bias was added), ceil mode or
/// dilation; a pooling that keeps more than half the positions (the multiply-adds saved would not pay for
/// pooling the wider input).
public struct HoistPoolBeforePointwiseConv: RewritePattern {
  public init() {}
  public let name = "hoist-pool-before-pointwise-conv"

  public struct Match {
    let pool: Node
    let conv: Node
    let input: ValueID
    /// The type of the pooled input: the convolution's input channels at the pooling's positions.
    let pooledType: TensorType
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    let isPooling: Bool
    switch node.op {
    case .averagePool, .globalAveragePool: isPooling = true
    default: isPooling = false
    }
    guard isPooling, let result = node.input(0), let conv = view.producer(of: result), case .conv = conv.op,
      let input = conv.input(0)
    else { return .notApplicable }
    do throws(FoldDecline) {
      try Self.requireAffinePerPosition(conv, in: view)
      try Self.requireOnlyReader(node, of: result, in: view)
      try Self.requireAverageOfInputCells(node)
      let inputType = view.type(of: input)
      let pooled = view.type(of: node.outputs[0])
      guard let planeIn = view.type(of: result).knownDims?.dropFirst(2).reduce(1, *),
        let planeOut = pooled.knownDims?.dropFirst(2).reduce(1, *), inputType.rank == pooled.rank
      else { throw FoldDecline("the positions of \(ScaleShiftConsumer.label(node)) are not known") }
      guard planeOut * 2 <= planeIn else {
        throw FoldDecline(
          "\(ScaleShiftConsumer.label(node)) keeps \(planeOut) of \(planeIn) positions; pooling the input first "
            + "saves too little")
      }
      let pooledType = TensorType(inputType.dtype, Array(inputType.shape.prefix(2)) + pooled.shape.dropFirst(2))
      return .matched(Match(pool: node, conv: conv, input: input, pooledType: pooledType))
    } catch {
      return .declined(error.reason)
    }
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    let inputName = graph[match.input].name
    var pool = graph.makeNode(
      name: match.pool.name, op: match.pool.op, inputs: [match.input],
      results: [("\(inputName).pooled", match.pooledType)])
    pool.inputs = [match.input] + match.pool.inputs.dropFirst()
    var conv = graph.makeNode(name: match.conv.name, op: match.conv.op, inputs: match.conv.inputs, results: [])
    conv.setOperand(0, to: pool.outputs[0])
    conv.outputs = match.pool.outputs
    graph.insert(pool, before: match.pool.id)
    graph.insert(conv, before: match.pool.id)
    graph.removeNodes([match.conv.id, match.pool.id])
  }

  /// A 1x1 convolution at stride 1 without padding, prologue or epilogue beyond its bias: `W·x + b` at each
  /// position from that position alone.
  private static func requireAffinePerPosition(_ conv: Node, in view: GraphView) throws(FoldDecline) {
    let label = ScaleShiftConsumer.label(conv)
    guard case .conv(let attributes) = conv.op else { throw FoldDecline("\(label) is not a Conv") }
    guard attributes.prologue == nil else { throw FoldDecline("\(label) has an input prologue") }
    guard !attributes.epilogue.residual, attributes.epilogue.activation == nil else {
      throw FoldDecline("\(label) adds a residual or applies an activation after its product")
    }
    guard let weight = view.type(of: conv.input(1) ?? conv.outputs[0]).knownDims, weight.count >= 3,
      weight.dropFirst(2).allSatisfy({ $0 == 1 })
    else { throw FoldDecline("\(label) is not a 1x1 convolution") }
    guard attributes.strides.allSatisfy({ $0 == 1 }) else {
      throw FoldDecline("\(label) has strides \(attributes.strides)")
    }
    if let padding = attributes.zeroPadding { throw FoldDecline("\(label) has \(padding)") }
  }

  /// The pooling is the result's only reader, and the result is no graph output.
  private static func requireOnlyReader(_ pool: Node, of result: ValueID, in view: GraphView) throws(FoldDecline) {
    let name = view.graph[result].name
    guard !view.isGraphOutput(result) else { throw FoldDecline("'\(name)' is a graph output and must stay observable") }
    guard view.useCount(of: result) == 1 else {
      throw FoldDecline("'\(name)' has \(view.useCount(of: result)) uses; the others would still need the convolution")
    }
  }

  /// An average over input cells only: no padding, no ceil mode (whose last window may overhang), no
  /// dilation. A global average always is.
  private static func requireAverageOfInputCells(_ pool: Node) throws(FoldDecline) {
    guard case .averagePool(let attributes) = pool.op else { return }
    let label = ScaleShiftConsumer.label(pool)
    guard case .explicit(let pads) = attributes.padding, pads.allSatisfy({ $0 == 0 }) else {
      throw FoldDecline("\(label) pads its input")
    }
    guard !attributes.ceilMode else { throw FoldDecline("\(label) rounds its output size up (ceil mode)") }
    guard attributes.dilations.allSatisfy({ $0 == 1 }) else {
      throw FoldDecline("\(label) has dilations \(attributes.dilations)")
    }
  }
}
