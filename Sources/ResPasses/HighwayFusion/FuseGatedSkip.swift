import ResIR

/// Fuses a Highway network's gated skip `y = T·H + (1 − T)·X` — four elementwise nodes, three intermediate
/// tensors — into one GatedSkip node, one pass over the data.
///
/// ## Before
/// ```
/// const @one: f32[] = [1.0]
/// %t = Sigmoid "gate" (%g) : f32[1,64]
/// %th = Mul "mul" (%t, %h) : f32[1,64]
/// %carry = Sub "sub" (@one, %t) : f32[1,64]
/// %cx = Mul "mul_1" (%carry, %x) : f32[1,64]
/// %y = Add "add" (%th, %cx) : f32[1,64]
/// ```
/// ## After
/// ```
/// %t = Sigmoid "gate" (%g) : f32[1,64]
/// %y = GatedSkip "add" (%t, %h, %x) : f32[1,64]
/// ```
/// Both forms exporters write are recognized, with every operand order of Add and Mul
/// (`GatedSkipCandidate`): `T·H + (1 − T)·X` and `X + T·(H − X)`. The Add becomes the fused node, so it keeps
/// its result (and name). T is data — a Sigmoid of a learned layer — and stays an operand computed at run
/// time: nothing of it is folded into weights (peer-pitfalls 19).
///
/// Declines when an intermediate product or difference has another reader or is a graph output (peer-pitfalls
/// 10, 11), when the minuend of `1 − T` is not a constant exactly 1 (every element), when the data is not
/// float, and when broadcasting T, H and X together does not provably give the Add's own type (a constant 1
/// that enlarges T's shape, or dims that are not provably equal; peer-pitfalls 12, 21, 22). Operands of
/// different shapes that broadcast to the Add's shape — a per-channel gate over a feature map — fuse: the
/// kernel broadcasts them as the Muls did.
public struct FuseGatedSkip: RewritePattern {
  public init() {}
  public let name = "fuse-gated-skip"

  public struct Match {
    var add: NodeID
    var operands: [ValueID]
    var absorbed: Set<NodeID>
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    let candidates = GatedSkipCandidate.all(of: node, in: view)
    guard !candidates.isEmpty else { return .notApplicable }
    var reasons: [String] = []
    for candidate in candidates {
      if let reason = decline(candidate, add: node, in: view) {
        if !reasons.contains(reason) { reasons.append(reason) }
        continue
      }
      return .matched(
        Match(
          add: node.id, operands: [candidate.gate, candidate.transformed, candidate.skipped],
          absorbed: Set(candidate.absorbed.map(\.id))))
    }
    return .declined(reasons.joined(separator: "; "))
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    graph.updateNode(match.add) { add in
      add.op = .gatedSkip
      add.inputs = match.operands
    }
    graph.removeNodes(match.absorbed)
  }

  /// The first guard `candidate` fails, or nil when it can be fused.
  private func decline(_ candidate: GatedSkipCandidate, add: Node, in view: GraphView) -> String? {
    for value in candidate.intermediates {
      if let reason = view.intermediateDecline(value) { return "the gated skip's intermediate \(reason)" }
    }
    if case .convex(let one, let carry) = candidate.form, let reason = oneDecline(one, carry: carry, in: view) {
      return reason
    }
    let resultType = view.type(of: add.outputs[0])
    guard resultType.dtype.isFloatingPoint else {
      return "the gated skip computes \(resultType.dtype.onnxName); GatedSkip is float-only"
    }
    let operandTypes = [candidate.gate, candidate.transformed, candidate.skipped].map { view.type(of: $0) }
    guard let fusedType = TensorType.broadcasting(operandTypes), fusedType.provablyEquals(resultType) else {
      let listed = operandTypes.map(\.description).joined(separator: ", ")
      return "T, H and X (\(listed)) do not provably broadcast to the Add's type \(resultType)"
    }
    return nil
  }

  /// Why the minuend of `1 − T` is not the constant 1, or nil when it is (every element exactly 1).
  private func oneDecline(_ one: ValueID, carry: Node, in view: GraphView) -> String? {
    let name = view.graph[one].name
    guard let constant = view.constant(one) else {
      return "Sub \"\(carry.name)\" subtracts T from '\(name)', which is not a constant"
    }
    guard constant.elementCount > 0, constant.doubles().allSatisfy({ $0 == 1 }) else {
      return "Sub \"\(carry.name)\" subtracts T from '\(name)', which is not exactly 1"
    }
    return nil
  }
}
