import ResIR

/// Mish written out, `x · tanh(softplus(x))` — how every exporter before opset 18 writes `nn.Mish` (YOLOv4's
/// CSPDarknet and its residual blocks) — becomes the Mish node it is: three elementwise steps, each a pass
/// over the tensor, become one activation the convolution before it applies.
///
/// ## Before
/// ```
/// %s = Softplus "act.softplus" (%c) : f32[1,64,56,56]
/// %t = Tanh "act.tanh" (%s) : f32[1,64,56,56]
/// %y = Mul "act" (%c, %t) : f32[1,64,56,56]
/// ```
/// ## After
/// ```
/// %y = Mish "act" (%c) : f32[1,64,56,56]
/// ```
/// -O2, beside GELU's recognition: Mish rounds once where the three steps round each.
///
/// Declined: a Softplus or Tanh result read elsewhere or a graph output, a result whose type is not the
/// input's. Not considered: a Mul whose other factor is not the Tanh of the Softplus of its first.
public struct RecognizeMish: RewritePattern {
  public init() {}
  public let name = "recognize-mish"

  public struct Match {
    var root: NodeID
    var x: ValueID
    /// The Tanh and the Softplus.
    var interior: [NodeID]
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard node.op == .binary(.mul), let a = node.input(0), let b = node.input(1) else { return .notApplicable }
    for (x, gate) in [(a, b), (b, a)] {
      guard let tanh = view.producer(of: gate), tanh.op == .unary(.tanh),
        let softplus = view.producer(of: tanh.input(0)), softplus.op == .unary(.softplus), softplus.input(0) == x
      else { continue }
      let match = Match(root: node.id, x: x, interior: [tanh.id, softplus.id])
      if let reason = decline(match, in: view) { return .declined(reason) }
      return .matched(match)
    }
    return .notApplicable
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    _ = graph.updateNode(match.root) { node in
      node.op = .unary(.mish)
      node.inputs = [match.x]
    }
    graph.removeNodes(Set(match.interior))
  }

  /// Why the three nodes cannot become one Mish, or nil.
  private func decline(_ match: Match, in view: GraphView) -> String? {
    let xType = view.type(of: match.x)
    guard xType.dtype.isFloatingPoint else { return "Mish's input is \(xType.dtype.rawValue), not a float" }
    guard let root = view.node(match.root), view.type(of: root.outputs[0]).provablyEquals(xType) else {
      return "the product's type is not Mish's input type \(xType)"
    }
    for id in match.interior {
      guard let node = view.node(id) else { continue }
      if let reason = view.intermediateDecline(node.outputs[0]) { return "the Mish's intermediate \(reason)" }
    }
    return nil
  }
}
