import ResIR

/// Folds a Mul of a Conv, Gemm or MatMul result by a constant holding one factor per output channel (or one
/// for all) into the producer's weight and bias: `(x ⊛ W + b) · s = x ⊛ (W · s) + b · s`, channel by channel.
///
/// tf2onnx writes a BatchNormalization that TensorFlow could not fold into its convolution, as after every
/// depthwise convolution of a Keras MobileNetV2, as a Mul by the per-channel scale (the shift having gone into
/// an Add or the next bias). Left in place, each Mul is a step of its own and keeps the ReLU6 after it out of
/// the convolution's epilogue: 17 Muls and 17 Clips in that model, 0.06 ms of its 0.8. A layer scale after a
/// projection (`γ · x`) is the same product.
///
/// ## Before
/// ```
/// const @w: f32[3,1,3,3] fingerprint 0123456789abcdef
/// const @s: f32[1,3,1,1] = [0.5,-2.0,4.0]
/// %c = Conv "dw" (%x, @w, _) {group=3, kernel_shape=[3,3], ...} : f32[1,3,6,6]
/// %y = Mul "bn.mul" (%c, @s) : f32[1,3,6,6]
/// ```
/// ## After
/// ```
/// const @w.scale_folded: f32[3,1,3,3] fingerprint ...
/// %y = Conv "dw" (%x, @w.scale_folded, _) {group=3, kernel_shape=[3,3], ...} : f32[1,3,6,6]
/// ```
/// -O2, like BatchNormalization folding: each weight is rounded once more, and the sum comes out within the
/// tolerance of the product it replaces. The folded weight and bias are new constants (a weight shared with
/// another node stays intact), computed in `Double` and checked to fit the weight's dtype.
///
/// Declined, each with its reason: a Conv of integer levels (`exact_sums`: a quantized model's requantization
/// multiplies its exact sum, and each level's product with a scaled weight would round), and likewise any
/// product whose scaled result is rounded (a QLinearMatMul's requantization, whose MatMul carries no
/// `exact_sums`: folded, its sums came out 6e-8 off and a level could flip); a factor that is not
/// a constant or not one value per output channel (it varies along another axis, or broadcasts the product to
/// a larger shape); a non-finite factor (∞ · 0 would
/// become NaN in the weights where the product had none); a producer whose epilogue already applies an
/// activation or adds a residual; a producer output that is a graph output or has other readers; a weight or
/// bias that is not a constant; a non-float weight; a MatMul output that is not a matrix.
public struct FoldChannelScale: RewritePattern {
  public init() {}
  public let name = "fold-channel-scale"

  public struct Match {
    let mul: NodeID
    let producer: NodeID
    /// The Mul's result, which the producer computes after the fold.
    let result: ValueID
    let foldedOp: Op
    let weight: FoldBatchNorm.NamedConstant
    /// The scaled bias; nil when the producer has none (it keeps none).
    let bias: FoldBatchNorm.NamedConstant?
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard case .binary(.mul) = node.op, let a = node.input(0), let b = node.input(1) else { return .notApplicable }
    // The operand a Conv, Gemm or MatMul computes; the other is the factor.
    let operands = [(a, b), (b, a)].first { product, _ in
      view.producer(of: product).flatMap { FoldTarget($0.op) } != nil
    }
    guard let (product, factor) = operands, let producer = view.producer(of: product) else {
      return .notApplicable
    }
    do throws(FoldDecline) {
      return .matched(try fold(node, product: product, factor: factor, producer: producer, in: view))
    } catch {
      return .declined(error.reason)
    }
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    let weight = graph.addConstant(name: match.weight.name, match.weight.constant)
    let bias = match.bias.map { graph.addConstant(name: $0.name, $0.constant) }
    graph.updateNode(match.producer) { producer in
      producer.op = match.foldedOp
      producer.inputs = [producer.inputs[0], weight] + (bias.map { [$0] } ?? [])
      producer.outputs = [match.result]
    }
    graph.removeNodes([match.mul])
  }

  /// Every guard, then the folded weight and bias.
  private func fold(
    _ node: Node, product: ValueID, factor: ValueID, producer: Node, in view: GraphView
  ) throws(FoldDecline) -> Match {
    guard let target = FoldTarget(producer.op) else { throw FoldDecline("the product is not a Conv/Gemm/MatMul's") }
    let op = target.opName
    if case .conv(let attributes) = producer.op, attributes.exactSums {
      throw FoldDecline("the Conv sums integer levels exactly (exact_sums); scaled weights would round each product")
    }
    if view.consumers(of: node.outputs[0]).contains(where: { $0.op == .unary(.round) }) {
      throw FoldDecline("the scaled product is rounded (a requantization); scaled weights would move it off its level")
    }
    guard let scale = view.constant(factor) else { throw FoldDecline("the factor is not a constant") }
    guard scale.dtype.isFloatingPoint else { throw FoldDecline("the factor is \(scale.dtype.rawValue), not a float type") }
    try Self.requireLinearAndUnshared(product, producer, op, in: view)
    guard let weight = view.constant(producer.input(1)) else { throw FoldDecline("the \(op)'s weight is not a constant") }
    guard weight.dtype.isFloatingPoint else {
      throw FoldDecline("the \(op)'s weight is \(weight.dtype.rawValue), not a float type")
    }
    let productType = view.type(of: product)
    guard view.type(of: node.outputs[0]).shape == productType.shape else {
      throw FoldDecline("the factor \(scale.type) broadcasts the \(op)'s \(productType) to a larger shape")
    }
    let axis = try target.channelAxis(of: weight, output: productType)
    let channels = weight.dims[axis]
    let factors = try Self.perChannel(scale, channels: channels, outputRank: productType.rank)
    let foldedWeight = weight.scaled(along: axis, by: factors)
    try Self.requireFinite(foldedWeight, "weight")
    var foldedBias: FoldBatchNorm.NamedConstant?
    if let biasOperand = producer.input(2) {
      let bias = try target.biasPerChannel(of: producer, channels: channels, in: view)
      let constant = Constant(dtype: weight.dtype, dims: [channels], doubles: zip(bias, factors).map { $0 * $1 })
      try Self.requireFinite(constant, "bias")
      foldedBias = FoldBatchNorm.NamedConstant(name: view.graph[biasOperand].name + ".scale_folded", constant: constant)
    }
    let weightName = (producer.input(1).map { view.graph[$0].name } ?? producer.name + ".weight") + ".scale_folded"
    return Match(
      mul: node.id, producer: producer.id, result: node.outputs[0],
      foldedOp: foldedBias == nil ? producer.op : target.foldedOp(producer.op),
      weight: FoldBatchNorm.NamedConstant(name: weightName, constant: foldedWeight), bias: foldedBias)
  }

  /// The factor of each of `channels` output channels (axis 1 of an output of rank `outputRank`): the
  /// constant's dimensions, aligned with the output's from the right, must be 1 everywhere but on that axis,
  /// where they are 1 or `channels`. Every factor must be finite.
  private static func perChannel(_ scale: Constant, channels: Int, outputRank: Int) throws(FoldDecline) -> [Double] {
    let dims = scale.dims
    guard dims.count <= outputRank else {
      throw FoldDecline("the factor has rank \(dims.count), more than the product's \(outputRank)")
    }
    let channelIndex = dims.count - (outputRank - 1)
    for (index, size) in dims.enumerated() where size != 1 {
      guard index == channelIndex, size == channels else {
        throw FoldDecline("the factor \(scale.type) is not one value per output channel (\(channels))")
      }
    }
    let values = scale.doubles()
    guard values.allSatisfy(\.isFinite) else { throw FoldDecline("the factor has a value that is not finite") }
    return values.count == channels ? values : [Double](repeating: values.first ?? 1, count: channels)
  }

  /// The product must be linear in the weight (no activation or residual fused yet) and read by the Mul
  /// alone: any other reader, a graph output included, needs it unscaled.
  private static func requireLinearAndUnshared(
    _ product: ValueID, _ producer: Node, _ op: String, in view: GraphView
  ) throws(FoldDecline) {
    let name = view.graph[product].name
    guard producer.op.epilogue?.activation == nil else {
      throw FoldDecline("the \(op) already applies an activation in its epilogue; the product is not linear")
    }
    guard producer.op.epilogue?.residual != true else {
      throw FoldDecline("the \(op) already adds a residual in its epilogue, which would be scaled too")
    }
    guard !view.isGraphOutput(product) else {
      throw FoldDecline("the \(op)'s output '\(name)' is a graph output and must stay observable")
    }
    guard view.useCount(of: product) == 1 else {
      throw FoldDecline("the \(op)'s output '\(name)' has \(view.useCount(of: product)) uses; the others need it unscaled")
    }
  }

  private static func requireFinite(_ folded: Constant, _ role: String) throws(FoldDecline) {
    guard let index = folded.firstNonFiniteIndex else { return }
    throw FoldDecline(
      "the folded \(role) does not fit \(folded.dtype.rawValue): element \(index) becomes \(folded.double(at: index))")
  }
}
