import ResIR

/// HardSwish written out becomes the HardSwish node it is, an activation the epilogue applies: PyTorch's
/// exports before opset 14 (which has no HardSwish op) write MobileNetV3's `nn.Hardswish` as
/// `x · HardSigmoid(x)`, and tf2onnx writes Keras's `hard_swish` as `x · relu6(x + 3) / 6`, in one grouping
/// or another. Either way the activation cost two or four elementwise steps after its convolution, each a pass
/// over the tensor, where HardSwish fuses into the convolution.
///
/// ## Before
/// ```
/// %h = HardSigmoid "act.gate" (%c) {alpha=0.16666667, beta=0.5} : f32[1,16,56,56]
/// %y = Mul "act" (%c, %h) : f32[1,16,56,56]
/// ```
/// ## After
/// ```
/// %y = HardSwish "act" (%c) : f32[1,16,56,56]
/// ```
/// The product is read in any operand order and grouping (`ProductTerms`); its constant factor times the
/// gate's multiple of the hard sigmoid (1 for HardSigmoid(1/6, 1/2), 6 for `clip(x + 3, 0, 6)`) must be 1
/// within `ConstantTolerance`.
/// -O2, beside GELU's recognition: HardSwish rounds once where the decomposition rounds at each step.
///
/// Declined: a decomposition whose intermediate values are read elsewhere or are graph outputs, a result
/// whose type is not the input's (a constant broadcasting it larger), an integer tensor.
public struct RecognizeHardSwish: RewritePattern {
  public init() {}
  public let name = "recognize-hard-swish"

  public struct Match {
    var root: NodeID
    var x: ValueID
    /// Every node the HardSwish replaces, the root excluded.
    var interior: [NodeID]
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard case .binary(let op) = node.op, op == .mul || op == .div,
      let product = ProductTerms(of: node.outputs[0], in: view)
    else { return .notApplicable }
    for factor in product.factors {
      guard let gate = Self.gate(factor, in: view) else { continue }
      let dtype = view.type(of: gate.x).dtype
      guard let terms = ProductTerms(of: node.outputs[0], stoppingAt: [gate.x, factor], in: view),
        terms.hasFactors([gate.x, factor]),
        ConstantTolerance.matches(terms.coefficient * gate.scale, 1, dtype: dtype)
      else { continue }
      let match = Match(root: node.id, x: gate.x, interior: terms.nodes.filter { $0 != node.id } + gate.nodes)
      if let reason = decline(match, in: view) { return .declined(reason) }
      return .matched(match)
    }
    return .notApplicable
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    _ = graph.updateNode(match.root) { node in
      node.op = .unary(.hardSwish)
      node.inputs = [match.x]
    }
    graph.removeNodes(Set(match.interior))
  }

  /// A multiple `scale` of the hard sigmoid of some `x`: `HardSigmoid(x)` with alpha 1/6 and beta 1/2 (scale
  /// 1), or `clip(x + 3, 0, 6)` (scale 6), with the nodes computing it.
  private static func gate(_ value: ValueID, in view: GraphView) -> (x: ValueID, nodes: [NodeID], scale: Double)? {
    guard let node = view.producer(of: value) else { return nil }
    switch node.op {
    case .unary(.hardSigmoid(let alpha, let beta)):
      guard let x = node.input(0) else { return nil }
      let dtype = view.type(of: x).dtype
      guard ConstantTolerance.matches(Double(alpha), 1.0 / 6, dtype: dtype),
        ConstantTolerance.matches(Double(beta), 0.5, dtype: dtype)
      else { return nil }
      return (x, [node.id], 1)
    case .clip:
      guard view.constant(node.input(1))?.scalar == 0, view.constant(node.input(2))?.scalar == 6,
        let add = view.producer(of: node.input(0)), add.op == .binary(.add)
      else { return nil }
      for (xSlot, threeSlot) in [(0, 1), (1, 0)] {
        guard view.constant(add.input(threeSlot))?.scalar == 3, let x = add.input(xSlot) else { continue }
        return (x, [node.id, add.id], 6)
      }
      return nil
    default:
      return nil
    }
  }

  /// Why the nodes cannot become one HardSwish, or nil.
  private func decline(_ match: Match, in view: GraphView) -> String? {
    let xType = view.type(of: match.x)
    guard xType.dtype.isFloatingPoint else { return "HardSwish's input is \(xType.dtype.rawValue), not a float" }
    guard let root = view.node(match.root), view.type(of: root.outputs[0]).provablyEquals(xType) else {
      return "the decomposition's result is not HardSwish's input type \(xType)"
    }
    for id in match.interior {
      guard let node = view.node(id) else { continue }
      if let reason = view.intermediateDecline(node.outputs[0]) { return "the HardSwish's intermediate \(reason)" }
    }
    return nil
  }
}
