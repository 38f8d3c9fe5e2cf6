import ResIR

/// One way of reading an Add as a Highway network's gated skip `T·H + (1 − T)·X`, found by shape of the
/// expression alone; `FuseGatedSkip` then checks its guards.
///
/// Exporters write the combination in two forms, and every operand order of the commutative ops in them:
/// - convex: `Add(Mul(T, H), Mul(Sub(1, T), X))` — PyTorch's `t * h + (1 - t) * x`;
/// - interpolated: `Add(X, Mul(T, Sub(H, X)))` — the algebraically equal `x + t * (h - x)`, one multiply less.
struct GatedSkipCandidate {
  enum Form {
    /// `T·H + (1 − T)·X`; `one` is the Sub's minuend, which must be the constant 1.
    case convex(one: ValueID, carry: Node)
    /// `X + T·(H − X)`.
    case interpolated
  }

  var gate: ValueID
  var transformed: ValueID
  var skipped: ValueID
  var form: Form
  /// The Mul and Sub nodes the fused node replaces (the Add itself becomes the fused node).
  var absorbed: [Node]

  /// The results of the absorbed nodes: they stop existing, so only the chain may read them.
  var intermediates: [ValueID] { absorbed.map { $0.outputs[0] } }

  /// Every reading of `add` as a gated skip, convex forms first, in operand order: usually none or one.
  static func all(of add: Node, in view: GraphView) -> [GatedSkipCandidate] {
    guard case .binary(.add) = add.op, let pairs = operandPairs(add) else { return [] }
    return pairs.flatMap { convex($0, $1, in: view) } + pairs.flatMap { interpolated($0, $1, in: view) }
  }

  /// `Add(gated, carried)` with `gated = Mul(T, H)` and `carried = Mul(Sub(one, T), X)`, each Mul either way
  /// round.
  private static func convex(_ gated: ValueID, _ carried: ValueID, in view: GraphView) -> [GatedSkipCandidate] {
    guard let gatedProduct = product(view, gated), let carriedProduct = product(view, carried),
      let carriedPairs = operandPairs(carriedProduct), let gatedPairs = operandPairs(gatedProduct)
    else { return [] }
    return carriedPairs.flatMap { complement, skipped -> [GatedSkipCandidate] in
      guard let carry = view.producer(of: complement), case .binary(.sub) = carry.op, let one = carry.input(0),
        let gate = carry.input(1)
      else { return [] }
      return gatedPairs.filter { $0.0 == gate }.map { _, transformed in
        GatedSkipCandidate(
          gate: gate, transformed: transformed, skipped: skipped, form: .convex(one: one, carry: carry),
          absorbed: [gatedProduct, carriedProduct, carry])
      }
    }
  }

  /// `Add(X, step)` with `step = Mul(T, Sub(H, X))`, the Mul either way round.
  private static func interpolated(_ skipped: ValueID, _ step: ValueID, in view: GraphView) -> [GatedSkipCandidate]
  {
    guard let stepProduct = product(view, step), let stepPairs = operandPairs(stepProduct) else { return [] }
    return stepPairs.compactMap { gate, difference -> GatedSkipCandidate? in
      guard let subtraction = view.producer(of: difference), case .binary(.sub) = subtraction.op,
        let transformed = subtraction.input(0), subtraction.input(1) == skipped
      else { return nil }
      return GatedSkipCandidate(
        gate: gate, transformed: transformed, skipped: skipped, form: .interpolated,
        absorbed: [stepProduct, subtraction])
    }
  }

  /// The Mul node that computes `value`, if one does.
  private static func product(_ view: GraphView, _ value: ValueID) -> Node? {
    guard let node = view.producer(of: value), case .binary(.mul) = node.op else { return nil }
    return node
  }

  /// A binary node's two operands in both orders (the same pair once when they are one value).
  private static func operandPairs(_ node: Node) -> [(ValueID, ValueID)]? {
    guard let a = node.input(0), let b = node.input(1) else { return nil }
    return a == b ? [(a, b)] : [(a, b), (b, a)]
  }
}
