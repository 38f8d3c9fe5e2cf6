import ResIR

/// Fuses `Add(op(x), skip)` — a Conv, Gemm or MatMul result plus a tensor of exactly its shape — into the
/// op's epilogue: the op adds `skip` (operand slot 3, `Op.residualSlot`) while its output tile is still in
/// registers, and takes over the Add's result.
///
/// ## Before
/// ```
/// %c = Conv "conv2" (%h, @w, @b) {...} : f32[N,64,56,56]
/// %y = Add "add" (%x, %c) : f32[N,64,56,56]
/// ```
/// ## After
/// ```
/// %y = Conv "conv2" (%h, @w, @b, %x) {...} epilogue(residual %x) : f32[N,64,56,56]
/// ```
/// Either operand order fuses the same way (peer-pitfalls 14); a Conv without bias fuses too (pitfall 15:
/// the bias slot simply stays empty). The skip may be any value of the identical shape, a constant included
/// (pitfall 13: a full-size constant added after a grouped 1x1 conv is a residual operand like any other).
///
/// Declines when the op's result is also read elsewhere or is a graph output (pitfalls 10, 11), when the
/// skip broadcasts or its dims are not provably the output's (pitfalls 12, 21, 22: the same symbol is equal,
/// different symbols or unknown dims are not), when the skip is computed from this op's result, or when the
/// op already adds a residual or applies an activation (pitfall 16: `act(op) + skip` is not
/// `act(op + skip)`).
///
/// **When both operands are eligible** (a projection shortcut: `Add(conv_main, conv_downsample)`), the op
/// *later in graph order* receives the epilogue. The earlier op's result is then already computed when the
/// later one writes its tiles, and since the later op is normally the Add's immediate predecessor, putting the
/// fused node in the Add's place leaves the imported schedule as it was; fusing the earlier op would move it
/// past the other and keep its inputs alive longer. A candidate that fails a guard — the later conv already
/// applies an activation (pitfall 16), or its result has another reader — leaves the epilogue to the other.
public struct FuseResidualAdd: RewritePattern {
  public init() {}
  public let name = "fuse-residual-add"

  public struct Match {
    var add: NodeID
    var carrier: NodeID
    var skip: ValueID
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard case .binary(.add) = node.op else { return .notApplicable }
    let candidates = [(0, 1), (1, 0)].compactMap { produced, other -> Candidate? in
      guard let value = node.input(produced), let skip = node.input(other),
        let carrier = EpilogueCarrier(view.producer(of: value))
      else { return nil }
      return Candidate(carrier: carrier, skip: skip, position: view.position(of: carrier.node.id) ?? 0)
    }
    guard !candidates.isEmpty else { return .notApplicable }
    var reasons: [String] = []
    for candidate in candidates.sorted(by: { $0.position > $1.position }) {
      if let reason = decline(candidate, add: node, in: view) {
        reasons.append(reason)
      } else {
        return .matched(Match(add: node.id, carrier: candidate.carrier.node.id, skip: candidate.skip))
      }
    }
    return .declined(reasons.joined(separator: "; "))
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    guard let add = graph.node(match.add) else { return }
    graph.fuse(match.carrier, into: match.add) { fused in
      fused.updateEpilogue { $0.residual = true }
      fused.setOperand(Op.residualSlot, to: match.skip)
      fused.outputs = add.outputs
    }
  }

  private struct Candidate {
    var carrier: EpilogueCarrier
    var skip: ValueID
    var position: Int
  }

  /// The first guard `candidate` fails, or nil when it can take the skip.
  private func decline(_ candidate: Candidate, add: Node, in view: GraphView) -> String? {
    let carrier = candidate.carrier
    let skipName = view.graph[candidate.skip].name
    if view.depends(candidate.skip, on: carrier.node.id) {
      return "the other operand '\(skipName)' is computed from the result of \(carrier.label)"
    }
    if let reason = carrier.resultDecline(in: view) { return reason }
    if carrier.epilogue.residual { return "\(carrier.label) already adds a residual" }
    if let reason = carrier.activationDecline { return reason }
    let resultType = view.type(of: carrier.result)
    let skipType = view.type(of: candidate.skip)
    guard skipType.rank == resultType.rank, !skipType.broadcastsStrictly(to: resultType),
      !resultType.broadcastsStrictly(to: skipType)
    else {
      return "'\(skipName)' \(skipType) and the result \(resultType) of \(carrier.label) broadcast against each other; "
        + "a residual has exactly the result's shape"
    }
    guard skipType.provablyEquals(resultType), view.type(of: add.outputs[0]).provablyEquals(resultType) else {
      return "'\(skipName)' \(skipType) is not provably the shape of the result \(resultType) of \(carrier.label)"
    }
    return nil
  }
}

extension TensorType {
  /// Whether some dimension of `self` is the number 1 where `target`'s is a different number: a broadcast,
  /// as opposed to dims that merely cannot be proven equal.
  fileprivate func broadcastsStrictly(to target: TensorType) -> Bool {
    zip(shape, target.shape).contains { own, other in
      own == .known(1) && other != .known(1) && other.value != nil
    }
  }
}
