import ResIR

/// Folds an inference-mode BatchNormalization into the Conv, Gemm or MatMul that computes its input: the
/// normalization then costs nothing at run time, and the producer is left free for epilogue fusion.
///
/// With `s = scale / √(variance + ε)` per channel (ε read from the node), the producer's weight is scaled per
/// output channel, `W'[m,...] = W[m,...]·s[m]`, and its bias becomes `b'[m] = (b[m] − mean[m])·s[m] + bias[m]`
/// (`b = 0` when it had none: a Conv without bias gets one). The output channel is axis 0 of a Conv weight
/// `[M, C/group, k...]` for every group count (grouped and depthwise included), any spatial rank, stride,
/// dilation or padding; axis 1 of a Gemm weight `[K, N]` (axis 0 with transB), whose C (times beta, which
/// becomes 1) is the bias; axis 1 of a constant MatMul weight `[K, N]` when the output is a matrix (or of any
/// rank, reshaped so that the BatchNormalization's channels are its columns), whose bias goes to the MatMul's
/// fused bias slot.
///
/// ## Before
/// ```
/// const @w: f32[3,2,3,3] fingerprint 0123456789abcdef
/// const @gamma: f32[3] = [1.5,-0.75,0.5]
/// const @beta: f32[3] = [0.25,-0.5,1.0]
/// const @mean: f32[3] = [0.1,-0.2,0.3]
/// const @var: f32[3] = [0.5,2.0,0.05]
/// %c = Conv "conv" (%x, @w, _) {group=1, kernel_shape=[3,3], ...} : f32[1,3,6,6]
/// %n = BatchNormalization "bn" (%c, @gamma, @beta, @mean, @var) {epsilon=1e-05} : f32[1,3,6,6]
/// ```
/// ## After
/// ```
/// const @w.bn_folded: f32[3,2,3,3] fingerprint 619f1f5db340532e
/// const @beta.bn_folded: f32[3] = [0.037870083,-0.60606575,0.32924667]
/// %n = Conv "conv" (%x, @w.bn_folded, @beta.bn_folded) {group=1, kernel_shape=[3,3], ...} : f32[1,3,6,6]
/// ```
/// Between the producer and the BatchNormalization there may be ops that only move elements (Reshape,
/// Transpose, Slice, Squeeze...), as after a strided ConvTranspose, which the importer computes as a Conv of
/// its output phases: `ChannelPath` finds which normalized channel each output channel becomes, and the
/// statistics are repeated accordingly.
///
/// The producer (or the last movement op) takes over the BatchNormalization's result, so a graph output keeps its name. The folded
/// weight and bias are new constants (named after the ones they replace, plus `.bn_folded`): constants are
/// never mutated, so a weight shared with another node stays intact for it. The arithmetic is done in `Double`
/// whatever the model's dtype and converted to the weight's dtype at the end, so an f16 network whose f32
/// variances exceed 65504 folds without overflow.
///
/// Declined, each with its reason: an input not computed by a Conv/Gemm/MatMul (a BatchNormalization after Add
/// or Concat is left for a per-channel scale and shift); a producer whose epilogue already applies an
/// activation (not linear) or adds a residual (it would have to be normalized too); a producer output that is
/// a graph output or has other readers (they need it unnormalized); parameters, weight or bias that are not
/// constants; a non-float weight; shapes that are not one value per output channel (a Gemm C of `[M, 1]`, a
/// MatMul whose rank-3 output it reads directly, normalizing rows); `variance + ε ≤ 0`; a folded value that does not fit the weight's dtype.
public struct FoldBatchNorm: RewritePattern {
  public init() {}
  public let name = "fold-batchnorm"

  public struct Match {
    let batchNorm: NodeID
    let producer: NodeID
    /// The node that computes the BatchNormalization's result after the fold: the producer, or the last
    /// movement op between them (`ChannelPath`).
    let resultCarrier: NodeID
    /// The BatchNormalization's result, which the producer computes after the fold.
    let result: ValueID
    let foldedOp: Op
    let weight: NamedConstant
    let bias: NamedConstant
  }

  /// A constant to add to the graph and the name to give it (made unique on insertion).
  struct NamedConstant {
    let name: String
    let constant: Constant
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard case .batchNormalization(let epsilon) = node.op, let input = node.input(0) else { return .notApplicable }
    do throws(FoldDecline) {
      return .matched(try fold(node, input: input, epsilon: epsilon, in: view))
    } catch {
      return .declined(error.reason)
    }
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    let weight = graph.addConstant(name: match.weight.name, match.weight.constant)
    let bias = graph.addConstant(name: match.bias.name, match.bias.constant)
    graph.updateNode(match.producer) { producer in
      producer.op = match.foldedOp
      producer.inputs = [producer.inputs[0], weight, bias]
    }
    graph.updateNode(match.resultCarrier) { carrier in carrier.outputs = [match.result] }
    graph.removeNodes([match.batchNorm])
  }

  /// Every guard, then the folded weight and bias.
  private func fold(_ node: Node, input: ValueID, epsilon: Float, in view: GraphView) throws(FoldDecline) -> Match {
    let path = try ChannelPath(from: input, in: view)
    let producer = path.producer
    guard let target = FoldTarget(producer.op), let output = producer.outputs.first else {
      throw FoldDecline("input comes from \(producer.op.onnxName), not a Conv/Gemm/MatMul")
    }
    try Self.requireLinearAndUnshared(output, producer, target, in: view)
    guard let weight = view.constant(producer.input(1)) else {
      throw FoldDecline("the \(target.opName)'s weight is not a constant")
    }
    guard weight.dtype.isFloatingPoint else {
      throw FoldDecline("the \(target.opName)'s weight is \(weight.dtype.rawValue), not a float type")
    }
    let axis = try target.channelAxis(
      of: weight, output: view.type(of: output), mapped: path.channelOfOutput != nil)
    let channels = weight.dims[axis]
    let statistics: BatchNormStatistics
    if let channelOfOutput = path.channelOfOutput {
      guard channelOfOutput.count == channels else {
        throw FoldDecline(
          "the \(target.opName)'s output has \(channelOfOutput.count) channels but its weight \(channels)")
      }
      let normalized = view.type(of: input).knownDims?[1] ?? channels
      statistics = try BatchNormStatistics(
        node, epsilon: epsilon, channels: normalized,
        producer: "\(target.opName) (through \(path.movement.count) movement ops)", in: view
      ).gathered(channelOfOutput)
    } else {
      statistics = try BatchNormStatistics(node, epsilon: epsilon, channels: channels, producer: target.opName, in: view)
    }
    let producerBias = try target.biasPerChannel(of: producer, channels: channels, in: view)
    let (foldedWeight, foldedBias) = try Self.folded(weight, axis: axis, producerBias, statistics)
    let weightName = Self.foldedName(producer.input(1), producer.name + ".weight", view)
    let biasName = Self.foldedName(
      producer.input(2) ?? (path.movement.isEmpty ? node.input(2) : nil), producer.name + ".bias", view)
    return Match(
      batchNorm: node.id, producer: producer.id, resultCarrier: path.movement.first?.id ?? producer.id,
      result: node.outputs[0], foldedOp: target.foldedOp(producer.op),
      weight: NamedConstant(name: weightName, constant: foldedWeight),
      bias: NamedConstant(name: biasName, constant: foldedBias))
  }

  /// The producer's result must be linear in its weight (no activation or residual fused yet) and read by the
  /// BatchNormalization alone: any other reader, a graph output included, needs it unnormalized.
  private static func requireLinearAndUnshared(
    _ input: ValueID, _ producer: Node, _ target: FoldTarget, in view: GraphView
  ) throws(FoldDecline) {
    let op = target.opName
    let name = view.graph[input].name
    guard producer.op.epilogue?.activation == nil else {
      throw FoldDecline(
        "the \(op) already applies an activation in its epilogue; BatchNormalization after it is not linear")
    }
    guard producer.op.epilogue?.residual != true else {
      throw FoldDecline("the \(op) already adds a residual in its epilogue, which would have to be normalized too")
    }
    guard !view.isGraphOutput(input) else {
      throw FoldDecline("the \(op)'s output '\(name)' is a graph output and must stay observable")
    }
    guard view.useCount(of: input) == 1 else {
      throw FoldDecline(
        "the \(op)'s output '\(name)' has \(view.useCount(of: input)) uses; the others need it unnormalized")
    }
  }

  /// The weight scaled per channel along `axis` and the folded bias, both in the weight's dtype.
  private static func folded(
    _ weight: Constant, axis: Int, _ producerBias: [Double], _ statistics: BatchNormStatistics
  ) throws(FoldDecline) -> (weight: Constant, bias: Constant) {
    let scale = try statistics.channelScale()
    let foldedWeight = weight.scaled(along: axis, by: scale)
    let foldedBias = Constant(
      dtype: weight.dtype, dims: [scale.count],
      doubles: statistics.foldedBias(producerBias: producerBias, channelScale: scale))
    try requireFinite(foldedWeight, "weight")
    try requireFinite(foldedBias, "bias")
    return (foldedWeight, foldedBias)
  }

  private static func requireFinite(_ folded: Constant, _ role: String) throws(FoldDecline) {
    guard let index = folded.firstNonFiniteIndex else { return }
    throw FoldDecline(
      "the folded \(role) does not fit \(folded.dtype.rawValue): element \(index) becomes \(folded.double(at: index))")
  }

  /// `<name of the replaced operand>.bn_folded`, or `<fallback>.bn_folded` when there is none.
  private static func foldedName(_ operand: ValueID?, _ fallback: String, _ view: GraphView) -> String {
    (operand.map { view.graph[$0].name } ?? fallback) + ".bn_folded"
  }
}
