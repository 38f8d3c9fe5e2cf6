import ResIR

/// Fuses the activation after a Conv, Gemm or MatMul — which may already add a bias and a residual — into
/// its epilogue: Relu, Clip with constant bounds (ReLU6), LeakyRelu, Sigmoid, Tanh, HardSigmoid, HardSwish,
/// Gelu, and SiLU written as `Mul(x, Sigmoid(x))` in either operand order.
///
/// ## Before
/// ```
/// %c = Conv "conv2" (%h, @w, @b, %x) {...} epilogue(residual %x) : f32[1,64,8,8]
/// %y = Relu "relu" (%c) : f32[1,64,8,8]
/// ```
/// ## After
/// ```
/// %y = Conv "conv2" (%h, @w, @b, %x) {...} epilogue(residual %x, relu) : f32[1,64,8,8]
/// ```
/// Ops that only move elements may sit between the op and the activation (Reshape, Transpose, Slice,
/// Squeeze, Unsqueeze, Flatten, Identity: the Conv of a strided ConvTranspose's output phases and the
/// interleave after it): an elementwise activation commutes with them, so it moves into the epilogue and the
/// last movement op takes over its result. Every value on that path must be read once, by the next op.
///
/// Only the activation directly after the op (or after such movement) fuses, so a ResNet v1 block (`Add → Relu`) gets its ReLU once
/// the Add is a residual epilogue, while a v2 pre-activation block (`BN → Relu → Conv`, Add with no ReLU
/// after it) has no ReLU after its convs' Adds to fuse (peer-pitfalls 17). Declines when the op's result is
/// read elsewhere or is a graph output (for SiLU: read by anything but the Sigmoid and the Mul), when the
/// epilogue already applies an activation, and for a Clip whose bounds are not constants.
public struct FuseActivation: RewritePattern {
  public init() {}
  public let name = "fuse-activation"

  public struct Match {
    var activationNode: NodeID
    var carrier: NodeID
    /// The movement ops between the carrier and the activation, the activation's producer first.
    var movement: [NodeID]
    var activation: Activation
    /// SiLU's Sigmoid, which goes with the Mul.
    var absorbed: Set<NodeID>
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard let site = Site(node, in: view) else { return .notApplicable }
    let carrier = site.carrier
    if let reason = carrier.resultDecline(in: view, readers: site.sigmoid == nil ? 1 : 2) { return .declined(reason) }
    if let sigmoid = site.sigmoid, let reason = view.intermediateDecline(sigmoid.outputs[0]) {
      return .declined("the Sigmoid's result \(reason)")
    }
    if let reason = carrier.activationDecline { return .declined(reason) }
    for moved in site.movement {
      if let reason = view.intermediateDecline(moved.outputs[0]) {
        return .declined("the result of \(moved.op.onnxName) \"\(moved.name)\" between them: \(reason)")
      }
    }
    do {
      let activation = try site.activation(in: view)
      return .matched(
        Match(
          activationNode: node.id, carrier: carrier.node.id, movement: site.movement.map(\.id),
          activation: activation, absorbed: Set([site.sigmoid?.id].compactMap { $0 })))
    } catch {
      return .declined(error.reason)
    }
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    guard let activationNode = graph.node(match.activationNode) else { return }
    if let last = match.movement.first {
      graph.updateNode(match.carrier) { carrier in carrier.updateEpilogue { $0.activation = match.activation } }
      graph.updateNode(last) { moved in moved.outputs = activationNode.outputs }
      graph.removeNodes([match.activationNode])
      return
    }
    graph.fuse(match.carrier, into: match.activationNode, absorbing: match.absorbed) { fused in
      fused.updateEpilogue { $0.activation = match.activation }
      fused.outputs = activationNode.outputs
    }
  }

  /// An activation node applied to a Conv, Gemm or MatMul result, directly or through movement ops.
  private struct Site {
    var node: Node
    var carrier: EpilogueCarrier
    /// For SiLU: the Sigmoid of the carrier's result.
    var sigmoid: Node?
    /// The movement ops from the activation's producer back to the carrier (empty when it reads the carrier).
    var movement: [Node] = []

    /// Nil when `node` is not an activation of a carrier's result.
    init?(_ node: Node, in view: GraphView) {
      self.node = node
      if case .binary(.mul) = node.op {
        guard let (carrier, sigmoid) = Self.silu(node, in: view) else { return nil }
        self.carrier = carrier
        self.sigmoid = sigmoid
        return
      }
      guard Self.isActivation(node.op) else { return nil }
      var producer = view.producer(of: node.input(0))
      while let moved = producer, moved.op.onlyMovesElements {
        movement.append(moved)
        producer = view.producer(of: moved.input(0))
      }
      guard let carrier = EpilogueCarrier(producer) else { return nil }
      self.carrier = carrier
    }

    /// Clip, or an elementwise op an epilogue can apply.
    private static func isActivation(_ op: Op) -> Bool {
      if case .clip = op { return true }
      if case .unary(let unary) = op { return Activation(fusing: unary) != nil }
      return false
    }

    /// `Mul(x, Sigmoid(x))` or `Mul(Sigmoid(x), x)` with `x` a carrier's result.
    private static func silu(_ mul: Node, in view: GraphView) -> (EpilogueCarrier, Node)? {
      for (xSlot, gateSlot) in [(0, 1), (1, 0)] {
        guard let x = mul.input(xSlot), let gate = view.producer(of: mul.input(gateSlot)),
          case .unary(.sigmoid) = gate.op, gate.input(0) == x, let carrier = EpilogueCarrier(view.producer(of: x))
        else { continue }
        return (carrier, gate)
      }
      return nil
    }

    func activation(in view: GraphView) throws(FusionDecline) -> Activation {
      if sigmoid != nil { return .silu }
      if case .unary(let op) = node.op, let activation = Activation(fusing: op) { return activation }
      return try Activation.clip(node, in: view)
    }
  }
}
