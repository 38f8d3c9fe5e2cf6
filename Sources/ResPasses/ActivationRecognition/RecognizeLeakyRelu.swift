import ResIR

/// A PRelu with one slope for every element becomes the LeakyRelu it is. The importer writes PRelu as ONNX
/// defines it, `Where(x < 0, x · slope, x)`: three elementwise steps, none of which an epilogue can take.
/// With a single constant slope (PyTorch's `nn.PReLU()` default, as in SRResNet's residual blocks) that is
/// `LeakyRelu(alpha: slope)` element for element — a −0 or NaN input passes through both — and LeakyRelu
/// fuses into the convolution before it.
///
/// ## Before
/// ```
/// %n = Less "act.negative" (%c, @zero) : bool[1,64,24,24]
/// %s = Mul "act.scaled" (%c, @slope) : f32[1,64,24,24]
/// %y = Where "act" (%n, %s, %c) : f32[1,64,24,24]
/// ```
/// ## After
/// ```
/// %y = LeakyRelu "act" (%c) {alpha=0.25} : f32[1,64,24,24]
/// ```
/// Declined: a slope that is not a constant, or that holds one value per channel (or per element): no
/// epilogue activation takes a vector of slopes, so such a PRelu stays three steps. Not considered: a float16
/// or float64 tensor, whose products a float32 alpha would round differently.
public struct RecognizeLeakyRelu: RewritePattern {
  public init() {}
  public let name = "recognize-leaky-relu"

  public struct Match {
    var node: NodeID
    var input: ValueID
    var alpha: Float
    /// The comparison and the product, when the Where was their only reader: removed with it, so that the
    /// LeakyRelu's input has no other readers left for epilogue fusion to decline on.
    var unusedAfter: [NodeID]
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard node.op == .where, node.inputs.count == 3, let condition = node.input(0), let scaled = node.input(1),
      let x = node.input(2), let negative = view.producer(of: condition),
      negative.op == .binary(.compare(.less)), negative.input(0) == x, view.constant(negative.input(1))?.scalar == 0,
      let product = view.producer(of: scaled), product.op == .binary(.mul)
    else { return .notApplicable }
    let slopeOperand = product.input(0) == x ? product.input(1) : product.input(1) == x ? product.input(0) : nil
    guard let slopeOperand else { return .notApplicable }
    guard view.type(of: x).dtype == .float32, view.type(of: node.outputs[0]) == view.type(of: x) else {
      return .notApplicable
    }
    guard let slope = view.constant(slopeOperand) else { return .declined("the slope is computed, not a constant") }
    guard let value = slope.scalar else {
      return .declined("the slope holds \(slope.elementCount) values, not one (no epilogue takes a slope per channel)")
    }
    let unusedAfter = [negative, product].filter { view.useCount(of: $0.outputs[0]) == 1 }.map(\.id)
    return .matched(Match(node: node.id, input: x, alpha: Float(value), unusedAfter: unusedAfter))
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    _ = graph.updateNode(match.node) { node in
      node.op = .unary(.leakyRelu(alpha: match.alpha))
      node.inputs = [match.input]
    }
    graph.removeNodes(Set(match.unusedAfter))
  }
}
