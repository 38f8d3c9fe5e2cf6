import ResIR

/// Folds the Add of a per-channel constant after a Conv, Gemm or MatMul into that node's bias operand.
///
/// ## Before
/// ```
/// const @t: f32[8,1,1] = [...]
/// %c = Conv "conv" (%x, @w, @b) {...} : f32[1,8,4,4]
/// %y = Add "add" (%c, @t) : f32[1,8,4,4]
/// ```
/// ## After
/// ```
/// const @conv.bias: f32[8] = [b + t...]
/// %y = Conv "conv" (%x, @w, @conv.bias) {...} : f32[1,8,4,4]
/// ```
/// The constant may be either operand (PyTorch exports a Linear as `Add(bias, MatMul(x, Wᵀ))`, bias first).
/// It must vary only along the bias axis — a Conv's channels (`[C,1,1]`, `[1,C,1,1]`), a Gemm's or MatMul's
/// columns (`[N]`, `[1,N]`) — or be one value; numpy aligns shapes at the last axis, so `[C]` after a Conv runs
/// along the width and is not a bias, and `[1,1,H,W]` is not one either (peer-pitfalls 12). A bias already
/// there must be a constant; the sum is taken in Double and rounded once, into a new constant (shared
/// constants are never changed). A Gemm's `beta` scales its old C into the sum and becomes 1.
///
/// The Add may follow a residual already in the epilogue (`conv + skip + t`: the epilogue adds the bias
/// first, and addition commutes) but not an activation, which comes last.
public struct FoldBiasAdd: RewritePattern {
  public init() {}
  public let name = "fold-bias-add"

  public struct Match {
    var add: NodeID
    var carrier: NodeID
    var bias: FoldedBias
    /// The carrier's op with `beta` = 1 (Gemm), otherwise unchanged.
    var op: Op
  }

  /// The bias operand after folding: the Add's own constant when it already has a bias's form and nothing
  /// is summed, else a new constant.
  enum FoldedBias {
    case existing(ValueID)
    case new(name: String, Constant)
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard case .binary(.add) = node.op, let (carrier, addend) = operands(of: node, in: view) else {
      return .notApplicable
    }
    if let reason = carrier.resultDecline(in: view) { return .declined(reason) }
    if let reason = carrier.activationDecline { return .declined(reason) }
    if case .scaleShift = carrier.node.op {
      return .declined("\(carrier.label) has no bias operand: its shift is the bias, made when it was created")
    }
    let resultType = view.type(of: carrier.result)
    let addType = view.type(of: node.outputs[0])
    guard addType.provablyEquals(resultType) else {
      return .declined(
        "the constant \(view.type(of: addend)) broadcasts the result \(resultType) of \(carrier.label) to \(addType)")
    }
    guard resultType.rank >= (carrier.biasAlongAxisOne ? 2 : 1) else {
      return .declined("the result \(resultType) of \(carrier.label) has no bias axis")
    }
    do {
      let bias = try foldedBias(carrier, adding: addend, resultType: resultType, in: view)
      return .matched(Match(add: node.id, carrier: carrier.node.id, bias: bias, op: opWithUnitBeta(carrier)))
    } catch {
      return .declined(error.reason)
    }
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    let bias: ValueID
    switch match.bias {
    case .existing(let value): bias = value
    case .new(let name, let constant): bias = graph.addConstant(name: name, constant)
    }
    guard let add = graph.node(match.add) else { return }
    graph.fuse(match.carrier, into: match.add) { fused in
      fused.op = match.op
      fused.setOperand(2, to: bias)
      fused.outputs = add.outputs
    }
  }

  /// The carrier and the constant operand, in either order; nil when the Add is not of that form.
  private func operands(of add: Node, in view: GraphView) -> (EpilogueCarrier, ValueID)? {
    for (produced, other) in [(0, 1), (1, 0)] {
      guard let value = add.input(produced), let addend = add.input(other) else { continue }
      if let carrier = EpilogueCarrier(view.producer(of: value)), view.constant(addend) != nil {
        return (carrier, addend)
      }
    }
    return nil
  }

  /// The new bias: old bias (times Gemm's beta) plus the Add's constant, as a vector along the bias axis.
  private func foldedBias(
    _ carrier: EpilogueCarrier, adding addend: ValueID, resultType: TensorType, in view: GraphView
  ) throws(FusionDecline) -> FoldedBias {
    let axis = carrier.biasAlongAxisOne ? 1 : resultType.rank - 1
    guard let constant = view.constant(addend) else { throw FusionDecline("the Add's operand is not a constant") }
    let added = try ChannelVector(constant, resultRank: resultType.rank, axis: axis, role: "the constant")
    var sum = added
    if let old = carrier.node.input(2) {
      guard let oldConstant = view.constant(old) else {
        throw FusionDecline("the bias '\(view.graph[old].name)' of \(carrier.label) is computed, not a constant")
      }
      let oldVector =
        carrier.biasAlongAxisOne
        ? ChannelVector(values: oldConstant.doubles())
        : try ChannelVector(oldConstant, resultRank: resultType.rank, axis: axis, role: "the bias of \(carrier.label)")
      sum = try added.adding(oldVector, scaledBy: Double(beta(of: carrier)))
    }
    var dims = [sum.values.count]
    if carrier.biasAlongAxisOne {
      guard let channels = resultType.shape[1].value else {
        throw FusionDecline("the number of output channels of \(carrier.label) is not known")
      }
      sum = try sum.expanded(to: channels)
      dims = [channels]
    }
    // The Add's own constant already has the bias's form: use it as it is (it is not changed, only read).
    if carrier.node.input(2) == nil, view.graph.constant(addend) != nil, constant.dims == dims {
      return .existing(addend)
    }
    let folded = Constant(dtype: resultType.dtype, dims: dims, doubles: sum.values)
    return .new(name: "\(carrier.node.name).bias", folded)
  }

  private func beta(of carrier: EpilogueCarrier) -> Float {
    if case .gemm(let attributes) = carrier.node.op { return attributes.beta }
    return 1
  }

  /// A Gemm's `beta` is folded into the new C, so it becomes 1.
  private func opWithUnitBeta(_ carrier: EpilogueCarrier) -> Op {
    guard case .gemm(var attributes) = carrier.node.op else { return carrier.node.op }
    attributes.beta = 1
    return .gemm(attributes)
  }
}
