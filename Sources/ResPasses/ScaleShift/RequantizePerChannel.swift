import ResIR

/// A per-channel requantization — `Round(x · m)` with one multiplier per channel, then usually a Clip to the
/// next tensor's centred levels — becomes one ScaleShift by `m` (shift 0) whose epilogue rounds and clamps:
/// `requantize(scale=1, min, max)`. Per-channel quantized weights (onnxruntime's `per_channel=True`, the
/// default advice for convolutions) give every convolution such a multiplier, which no convolution epilogue
/// holds; three passes over its output become one.
///
/// ## Before
/// ```
/// %m = Mul "conv.levels" (%acc, @multiplier) : f32[1,3,8,8]          // @multiplier: f32[3,1,1]
/// %r = Round "conv.level" (%m) : f32[1,3,8,8]
/// %y = Clip "next.x_centered" (%r, @low, @high) : f32[1,3,8,8]
/// ```
/// ## After
/// ```
/// %y = ScaleShift "conv.levels" (%acc, @conv.levels.scale, @conv.levels.shift) {axis=1}
///      epilogue(requantize(scale=1.0, min=-135.0, max=120.0)) : f32[1,3,8,8]
/// ```
/// Exact: `x · m + 0` is the product `x · m` rounded once (a zero product's sign aside, which no later sum
/// sees), and the epilogue's `· 1` changes nothing. One multiplier for every channel is `fuse-requantization`'s
/// case (into the convolution's epilogue) and is left to it.
///
/// Declined: a multiplier that varies along an axis other than 1, is computed or broadcasts X to a larger
/// shape; a product or rounded value with other readers. Not considered: X of rank below 3 or not float32.
struct RequantizePerChannel: RewritePattern {
  let name = "requantize-per-channel"

  struct Match {
    let mul: NodeID
    let round: NodeID
    let last: NodeID
    let input: ValueID
    let scale: Constant
    let activation: Activation
  }

  func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard node.op == .unary(.round), let mul = view.producer(of: node.input(0)), mul.op == .binary(.mul),
      let a = mul.input(0), let b = mul.input(1)
    else { return .notApplicable }
    let (input, factor) = view.constant(a) == nil ? (a, b) : (b, a)
    let type = view.type(of: input)
    guard type.rank >= 3, type.dtype == .float32, view.constant(input) == nil, let dims = type.knownDims,
      let multiplier = view.constant(factor), multiplier.elementCount > 1
    else { return .notApplicable }
    do throws(FoldDecline) {
      guard view.type(of: mul.outputs[0]) == type else {
        throw FoldDecline("the multiplier broadcasts X \(type) to a larger shape")
      }
      if let reason = view.intermediateDecline(mul.outputs[0]) { throw FoldDecline("the scaled sums \(reason)") }
      let scale = try MulAddToScaleShift.perChannel(
        factor, role: "multiplier", channels: dims[1], rank: type.rank, in: view)
      let (bounds, last) = try clipAfter(node, in: view)
      return .matched(
        Match(
          mul: mul.id, round: node.id, last: last.id, input: input,
          scale: Constant(dtype: .float32, dims: [dims[1]], doubles: scale),
          activation: .requantize(scale: 1, min: bounds.min, max: bounds.max)))
    } catch {
      return .declined(error.reason)
    }
  }

  func rewrite(_ match: Match, in graph: inout Graph) {
    guard let mul = graph.node(match.mul), let last = graph.node(match.last) else { return }
    let channels = match.scale.elementCount
    let scale = graph.addConstant(name: mul.name + ".scale", match.scale)
    let zeros = Constant(dtype: .float32, dims: [channels], doubles: Array(repeating: 0, count: channels))
    let shift = graph.addConstant(name: mul.name + ".shift", zeros)
    graph.updateNode(match.last) { node in
      node.op = .scaleShift(axis: 1, epilogue: Epilogue(activation: match.activation))
      node.inputs = [match.input, scale, shift]
      node.name = mul.name
      node.outputs = last.outputs
    }
    graph.removeNodes(Set([match.mul, match.round]).subtracting([match.last]))
  }

  /// The bounds of the Clip that alone reads the Round's result (infinite without one), and the chain's last node.
  private func clipAfter(_ round: Node, in view: GraphView) throws(FoldDecline) -> ((min: Float, max: Float), Node) {
    let result = round.outputs[0]
    guard view.intermediateDecline(result) == nil, let clip = view.consumers(of: result).first, clip.op == .clip,
      clip.input(0) == result
    else { return ((-.infinity, .infinity), round) }
    guard case .clip(let low, let high) = try? Activation.clip(clip, in: view) else {
      throw FoldDecline("the Clip after the Round has computed or reversed bounds")
    }
    return ((low, high), clip)
  }
}
