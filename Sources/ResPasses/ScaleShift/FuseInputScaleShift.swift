import ResIR

/// Fuses a ScaleShift — with or without its activation — into the 1x1 convolution that is its only reader,
/// as that convolution's input prologue: the conv computes from `act(x·scale[c] + shift[c])` as it reads `x`,
/// and the normalized, activated tensor is never written or read back.
///
/// ## Before
/// ```
/// const @scale: f32[4] = [2.0,0.5,-1.0,1.5]
/// const @shift: f32[4] = [0.25,-0.5,0.0,1.0]
/// %s = ScaleShift "bn" (%x, @scale, @shift) {axis=1} epilogue(relu) : f32[1,4,6,6]
/// %y = Conv "conv" (%s, @w, @b) {group=1, kernel_shape=[1,1], pads=[0,0,0,0], ...} : f32[1,8,6,6]
/// ```
/// ## After
/// ```
/// %y = Conv "conv" (%x, @w, @b, _, @scale, @shift) {group=1, kernel_shape=[1,1], ...} prologue(scale_shift, relu) : f32[1,8,6,6]
/// ```
/// This is DenseNet's dense layer (`Concat → BN → ReLU → 1x1 Conv`) and a pre-activation ResNet's
/// bottleneck entry (`Add → BN → ReLU → 1x1 Conv`): the BN became a ScaleShift, `fuse-epilogue` gave it the
/// ReLU, and what `fold-scale-shift-into-conv` cannot fold (the activation makes it nonlinear) lands here.
/// The conv keeps its own result, so graph output names are untouched; the ScaleShift disappears.
///
/// **Zero padding.** The conv pads its transformed input with zeros, where the ScaleShift step before it
/// padded nothing: a padded cell held 0 and now would need `act(0·s + t)`. So only a conv that reads no padded
/// cell takes a prologue (peer-pitfalls 18: never across zero padding). A 1x1 kernel with zero pads reads
/// none; a larger kernel almost always pads, and is where the runtime's prologue-capable methods (the
/// pointwise GEMM and the strided subsample) do not run anyway.
///
/// Declined, each with its reason: an axis other than the channel axis 1; X computed by a convolution (see
/// `requireNoConvolutionBefore`); a residual in the ScaleShift's epilogue (added after the activation, it is not per-channel); a result read more than once (the other
/// reader still needs the tensor, so the step stays) or that is a graph output; a reader that is not a Conv or
/// reads it as another operand; a conv that is grouped, has a kernel larger than 1, pads, has a computed
/// weight, reads a single channel (the runtime computes that as a depthwise step, which has no prologue) or
/// already has a prologue.
public struct FuseInputScaleShift: RewritePattern {
  public init() {}
  public let name = "fuse-input-scale-shift"

  public struct Match {
    let scaleShift: NodeID
    let conv: NodeID
    /// The ScaleShift's input, scale and shift, which the conv reads instead of its result.
    let input: ValueID
    let scale: ValueID
    let shift: ValueID
    let attributes: ConvAttributes
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard case .scaleShift(let axis, let epilogue) = node.op, let input = node.input(0),
      let scale = node.input(1), let shift = node.input(2)
    else { return .notApplicable }
    let result = node.outputs[0]
    guard view.useCount(of: result) > 0 else { return .notApplicable }
    do throws(FoldDecline) {
      try Self.requirePerChannel(node, axis: axis, epilogue)
      try Self.requireNoConvolutionBefore(input, in: view)
      let conv = try Self.onlyReader(of: result, in: view)
      var attributes = try Self.pointwiseConv(conv, in: view)
      attributes.prologue = ConvPrologue(activation: epilogue.activation)
      return .matched(
        Match(scaleShift: node.id, conv: conv.id, input: input, scale: scale, shift: shift, attributes: attributes))
    } catch {
      return .declined(error.reason)
    }
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    graph.updateNode(match.conv) { conv in
      conv.op = .conv(match.attributes)
      conv.setOperand(0, to: match.input)
      conv.setOperand(Op.inputScaleSlot, to: match.scale)
      conv.setOperand(Op.inputShiftSlot, to: match.shift)
    }
    graph.removeNodes([match.scaleShift])
  }

  /// The map must run along NCHW's channel axis, the one a conv's input channels index, and must end with the
  /// activation: a residual is added before it, per element rather than per channel.
  private static func requirePerChannel(_ node: Node, axis: Int, _ epilogue: Epilogue) throws(FoldDecline) {
    let label = "ScaleShift \"\(node.name)\""
    guard axis == 1 else {
      throw FoldDecline("\(label) runs along axis \(axis), not the channel axis 1 a conv's input channels index")
    }
    guard !epilogue.residual else {
      throw FoldDecline("\(label) adds a residual in its epilogue, which is not a per-channel input transform")
    }
  }

  /// X must not be a convolution's result. A conv with a prologue computes row-major (the channels-last GEMM
  /// reads its input rows in place, with no packing to apply the map in), while the convolution before it and
  /// a ScaleShift step compute channels-last: the prologue would cost a reorder each way. A pre-activation
  /// ResNet's block entry (the previous block's residual sum, a conv's epilogue, then BN → ReLU → 1x1 conv) is
  /// this case: a Keras ResNet50V2 ran 57.3 ms with its 12 prologues and 24 reorders, 53.6 ms without (one
  /// thread, medians of five alternating rounds). DenseNet's prologues read a Concat and stay: there the
  /// channels-last region would copy every Concat's inputs instead.
  private static func requireNoConvolutionBefore(_ input: ValueID, in view: GraphView) throws(FoldDecline) {
    guard let producer = view.producer(of: input), case .conv = producer.op else { return }
    throw FoldDecline(
      "X is the result of Conv \"\(producer.name)\"; both compute channels-last without a prologue, which would "
        + "keep this conv row-major between two reorders")
  }

  /// The single Conv reading `result` as its data input.
  private static func onlyReader(of result: ValueID, in view: GraphView) throws(FoldDecline) -> Node {
    let name = view.graph[result].name
    guard !view.isGraphOutput(result) else {
      throw FoldDecline("'\(name)' is a graph output and must stay observable")
    }
    let uses = view.uses(of: result)
    guard uses.count == 1, case .operand(let id, let slot) = uses[0], let reader = view.node(id) else {
      throw FoldDecline("'\(name)' has \(uses.count) uses; every other reader would still need the step")
    }
    let label = ScaleShiftConsumer.label(reader)
    guard case .conv = reader.op else { throw FoldDecline("\(label) reads it; only a Conv takes a prologue") }
    guard slot == 0 else { throw FoldDecline("\(label) reads '\(name)' as operand \(slot), not as its input") }
    return reader
  }

  /// The conv's attributes when it can take a prologue: no prologue yet, group 1, no padding, a constant
  /// weight with every kernel extent 1 and at least two input channels.
  private static func pointwiseConv(_ conv: Node, in view: GraphView) throws(FoldDecline) -> ConvAttributes {
    let label = ScaleShiftConsumer.label(conv)
    guard case .conv(let attributes) = conv.op else { throw FoldDecline("\(label) is not a Conv") }
    guard attributes.prologue == nil else { throw FoldDecline("\(label) already has a prologue") }
    guard attributes.group == 1 else {
      throw FoldDecline("\(label) has group \(attributes.group); only an ungrouped conv takes a prologue")
    }
    if let padding = attributes.zeroPadding {
      throw FoldDecline("\(label) has \(padding): zero padding would pad the transformed input")
    }
    guard let weight = view.constant(conv.input(1)) else { throw FoldDecline("the weight of \(label) is computed") }
    guard weight.dims.count >= 3, weight.dims.dropFirst(2).allSatisfy({ $0 == 1 }) else {
      throw FoldDecline("\(label) has a \(weight.type) weight; only a 1x1 kernel takes a prologue")
    }
    guard weight.dims[1] >= 2 else {
      throw FoldDecline("\(label) reads one channel, which runs as a depthwise step without prologue")
    }
    return attributes
  }
}
