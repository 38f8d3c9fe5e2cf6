import ResIR

/// PReLU as the one op it is, and as LeakyRelu when it has one slope.
///
/// The importer writes ONNX's PRelu as the IR's binary `PRelu(x, slope)`; some exporters and hand-written
/// models spell it `Where(x < 0, x · slope, x)` (three steps, the comparison's bool tensor in between, and no
/// channels-last form for the Where). Both become `PRelu` — exactly: a −0 or NaN `x` passes through either —
/// and a PRelu whose slope is one constant float32 value (PyTorch's `nn.PReLU()` default, as in SRResNet's
/// residual blocks) becomes `LeakyRelu(alpha: slope)`, an activation epilogue fusion gives the convolution
/// before it.
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
/// (with a `[64,1,1]` slope: `%y = PRelu "act" (%c, @slope)`.)
///
/// Declined (the PRelu stays a PRelu): a slope that is not a constant, or that holds one value per channel
/// (or per element) — no epilogue activation takes a vector of slopes; the PRelu runs as one elementwise
/// step, channels-last where its neighbours are. Not made LeakyRelu: a float16 or float64 tensor, whose
/// products a float32 alpha would round differently.
public struct RecognizePRelu: RewritePattern {
  public init() {}
  public let name = "recognize-prelu"

  public struct Match {
    var node: NodeID
    var input: ValueID
    var replacement: Replacement
    /// The comparison and the product of a Where spelling, when the Where was their only reader: removed with
    /// it, so that the input has no other readers left for epilogue fusion to decline on.
    var unusedAfter: [NodeID]
  }

  enum Replacement {
    case leakyRelu(alpha: Float)
    case prelu(slope: ValueID)
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    if node.op == .binary(.prelu), let x = node.input(0), let slope = node.input(1) {
      return matchOneSlope(node, x: x, slope: slope, in: view, spelled: [])
    }
    guard let (x, slope, spelled) = Self.spelledOut(node, in: view) else { return .notApplicable }
    let unusedAfter = spelled.filter { view.useCount(of: $0.outputs[0]) == 1 }.map(\.id)
    if case .matched(let leaky) = matchOneSlope(node, x: x, slope: slope, in: view, spelled: unusedAfter) {
      return .matched(leaky)
    }
    return .matched(Match(node: node.id, input: x, replacement: .prelu(slope: slope), unusedAfter: unusedAfter))
  }

  /// The LeakyRelu a PRelu of `x` by `slope` is, if its slope is one constant float32 value.
  private func matchOneSlope(_ node: Node, x: ValueID, slope: ValueID, in view: GraphView, spelled: [NodeID])
    -> MatchResult<Match>
  {
    guard view.type(of: x).dtype == .float32, view.type(of: node.outputs[0]) == view.type(of: x) else {
      return .notApplicable
    }
    guard let constant = view.constant(slope) else { return .declined("the slope is computed, not a constant") }
    guard let value = constant.scalar else {
      return .declined(
        "the slope holds \(constant.elementCount) values, not one (no epilogue takes a slope per channel)")
    }
    return .matched(Match(node: node.id, input: x, replacement: .leakyRelu(alpha: Float(value)), unusedAfter: spelled))
  }

  /// `Where(x < 0, x · slope, x)` (either order of the product): x, the slope, and the comparison and product
  /// nodes; nil for any other Where, or when the result is not x's type (a slope that broadcasts x larger).
  private static func spelledOut(_ node: Node, in view: GraphView) -> (ValueID, ValueID, [Node])? {
    guard node.op == .where, node.inputs.count == 3, let condition = node.input(0), let scaled = node.input(1),
      let x = node.input(2), let negative = view.producer(of: condition),
      negative.op == .binary(.compare(.less)), negative.input(0) == x, view.constant(negative.input(1))?.scalar == 0,
      let product = view.producer(of: scaled), product.op == .binary(.mul),
      view.type(of: x).dtype.isFloatingPoint, view.type(of: node.outputs[0]) == view.type(of: x)
    else { return nil }
    let slope = product.input(0) == x ? product.input(1) : product.input(1) == x ? product.input(0) : nil
    guard let slope, view.type(of: slope).dtype == view.type(of: x).dtype else { return nil }
    return (x, slope, [negative, product])
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    _ = graph.updateNode(match.node) { node in
      switch match.replacement {
      case .leakyRelu(let alpha):
        node.op = .unary(.leakyRelu(alpha: alpha))
        node.inputs = [match.input]
      case .prelu(let slope):
        node.op = .binary(.prelu)
        node.inputs = [match.input, slope]
      }
    }
    graph.removeNodes(Set(match.unusedAfter))
  }
}
