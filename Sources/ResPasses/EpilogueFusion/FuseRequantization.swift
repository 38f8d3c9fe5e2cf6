import ResIR

/// Fuses a quantized operator's requantization — `Round(x · scale)`, then usually a Clip to the next tensor's
/// centred levels — into the epilogue of the Conv, Gemm or MatMul that computes `x`, as the one activation
/// `requantize(scale, min, max)`.
///
/// ## Before
/// ```
/// %acc = Conv "conv.accumulator" (%x, @w, @bias) {..., exact_sums=1} : f32[1,64,16,16]
/// %m = Mul "conv.levels" (%acc, @multiplier) : f32[1,64,16,16]          // one number: 0.0038
/// %r = Round "conv.level" (%m) : f32[1,64,16,16]
/// %c = Clip "next.x_centered" (%r, @low, @high) : f32[1,64,16,16]       // [-135, 120]
/// ```
/// ## After
/// ```
/// %c = Conv "conv.accumulator" (%x, @w, @bias) {..., exact_sums=1} epilogue(requantize(scale=0.0038,
///      min=-135.0, max=120.0)) : f32[1,64,16,16]
/// ```
/// Exact: the epilogue multiplies the float32 sum by the float32 scale once, rounds half to even and clamps,
/// the three steps' arithmetic (the import of `QLinearConv`, `QLinearMatMul` and QDQ-wrapped Conv and MatMul
/// leaves exactly this chain once `simplify-quantization` has cancelled the Casts and zero points). Without a
/// Clip after it (the Round read twice) the bounds are infinite. Three passes over the output become none.
///
/// Not fused: a scale that is not one float32 number (per-channel quantization), a result read by anything but
/// the chain or a graph output, an epilogue that already applies an activation, a Clip whose bounds are
/// computed or reversed, and results that are not float32.
struct FuseRequantization: RewritePattern {
  let name = "fuse-requantization"

  struct Match {
    let carrier: NodeID
    let last: NodeID
    let absorbed: Set<NodeID>
    let activation: Activation
  }

  func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard node.op == .unary(.round), let mul = view.producer(of: node.input(0)), mul.op == .binary(.mul),
      let (carrier, scaleSlot) = carrierOperand(of: mul, in: view)
    else { return .notApplicable }
    if let reason = carrier.resultDecline(in: view) { return .declined(reason) }
    if let reason = carrier.activationDecline { return .declined(reason) }
    guard view.type(of: carrier.result).dtype == .float32 else { return .declined("the result is not float32") }
    guard let scale = view.constant(mul.input(scaleSlot))?.scalar.map(Float.init), scale.isFinite else {
      return .declined("the scale is not one finite number (per-channel requantization stays three steps)")
    }
    if let reason = view.intermediateDecline(mul.outputs[0]) { return .declined("the scaled sums \(reason)") }
    var bounds: (min: Float, max: Float) = (-.infinity, .infinity)
    var last = node
    if let clip = soleClipReader(of: node, in: view) {
      guard case .clip(let low, let high) = try? Activation.clip(clip, in: view) else {
        return .declined("the Clip after the Round has computed or reversed bounds")
      }
      (bounds, last) = ((low, high), clip)
    }
    let activation = Activation.requantize(scale: scale, min: bounds.min, max: bounds.max)
    return .matched(
      Match(carrier: carrier.node.id, last: last.id, absorbed: [mul.id, node.id], activation: activation))
  }

  func rewrite(_ match: Match, in graph: inout Graph) {
    guard let last = graph.node(match.last) else { return }
    graph.fuse(match.carrier, into: match.last, absorbing: match.absorbed) { fused in
      fused.updateEpilogue { $0.activation = match.activation }
      fused.outputs = last.outputs
    }
  }

  /// The carrier whose result `mul` scales, with the slot of the other operand.
  private func carrierOperand(of mul: Node, in view: GraphView) -> (EpilogueCarrier, Int)? {
    for (resultSlot, scaleSlot) in [(0, 1), (1, 0)] {
      guard let carrier = EpilogueCarrier(view.producer(of: mul.input(resultSlot))),
        carrier.result == mul.input(resultSlot)
      else { continue }
      return (carrier, scaleSlot)
    }
    return nil
  }

  /// The Clip that is the only reader of the Round's result, when there is one and the result is no graph output.
  private func soleClipReader(of round: Node, in view: GraphView) -> Node? {
    guard view.intermediateDecline(round.outputs[0]) == nil, let reader = view.consumers(of: round.outputs[0]).first,
      reader.op == .clip, reader.input(0) == round.outputs[0]
    else { return nil }
    return reader
  }
}
