import ResIR

/// Folds a constant power-of-two scale (a Mul by `c`, or a Div by `1/c`) into the weights of the projection the
/// scaled tensor is computed from, so the scale costs no step at run time.
///
/// Scaled dot-product attention multiplies `Q·Kᵀ` by `1/√d`, which is 0.125 for the usual head size of 64;
/// the scale moves back through the attention MatMul, the head split's Reshape and Transpose, into the query
/// projection's weight and bias.
///
/// ## Before
/// ```
/// const @wq: f32[8,8] fingerprint ...
/// const @bq: f32[8] = [...]
/// const @c: f32[] = [0.125]
/// %q = MatMul "query" (%x, @wq, @bq) : f32[4,8]
/// %qh = Reshape "split" (%q, @heads) : f32[4,2,4]
/// %qt = Transpose "heads" (%qh) {perm=[1,0,2]} : f32[2,4,4]
/// %s = MatMul "scores" (%qt, %kt) : f32[2,4,4]
/// %y = Mul "scale" (%s, @c) : f32[2,4,4]
/// ```
/// ## After
/// ```
/// const @wq.scaled: f32[8,8] fingerprint ...
/// const @bq.scaled: f32[8] = [...]
/// %q = MatMul "query" (%x, @wq.scaled, @bq.scaled) : f32[4,8]
/// %qh = Reshape "split" (%q, @heads) : f32[4,2,4]
/// %qt = Transpose "heads" (%qh) {perm=[1,0,2]} : f32[2,4,4]
/// %y = MatMul "scores" (%qt, %kt) : f32[2,4,4]
/// ```
///
/// **Exact.** Multiplying by a power of two only changes exponents, so every product, sum and rounding of the
/// projection and of the MatMuls after it comes out scaled by exactly `c`: the folded graph computes the same
/// bits, unless a value leaves the normal range (the pattern checks the folded weights and bias; a subnormal
/// intermediate at run time is the one case it cannot see). Any other factor would round each weight once
/// more, so it declines.
///
/// The scaled tensor and every value on the way to the projection must have the one reader the path gives
/// it (a second reader would see scaled values) and must not be graph outputs; the path passes only through
/// ops that commute with a scalar factor (`ScaleFoldPath`). Runs after `fuse-epilogue`, which has moved the
/// projection's bias Add into its bias operand, so the bias is scaled with the weight.
public struct FoldScaleIntoProjection: RewritePattern {
  public init() {}
  public let name = "fold-scale-into-projection"

  public struct Match {
    let scale: NodeID
    /// The node computing the scaled tensor: it takes over the Mul's result.
    let scaledProducer: NodeID
    let target: ScaleFoldTarget
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard let (scaled, factorValue) = Self.operands(of: node, in: view) else { return .notApplicable }
    do throws(FoldDecline) {
      let factor = try Self.factor(of: node, factorValue, in: view)
      let resultType = view.type(of: node.outputs[0])
      let scaledType = view.type(of: scaled)
      guard resultType.provablyEquals(scaledType), scaledType.dtype.isFloatingPoint else {
        throw FoldDecline("the scale broadcasts '\(view.graph[scaled].name)' \(scaledType) to \(resultType)")
      }
      guard let producer = view.producer(of: scaled) else {
        throw FoldDecline("'\(view.graph[scaled].name)' is not computed by a node")
      }
      let target = try ScaleFoldPath.target(scaling: scaled, by: factor, in: view)
      return .matched(Match(scale: node.id, scaledProducer: producer.id, target: target))
    } catch {
      return .declined(error.reason)
    }
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    let target = match.target
    let weight = target.weight.map { (slot: $0.slot, value: graph.addConstant(name: $0.name, $0.constant)) }
    let bias = target.bias.map { graph.addConstant(name: $0.name, $0.constant) }
    graph.updateNode(target.projection) { node in
      node.op = target.op
      if let weight { node.setOperand(weight.slot, to: weight.value) }
      if let bias { node.setOperand(2, to: bias) }
    }
    guard let scale = graph.node(match.scale) else { return }
    graph.fuse(match.scaledProducer, into: match.scale) { $0.outputs = scale.outputs }
  }

  /// The computed operand and the one-element constant of a Mul (either order) or a Div (constant divisor).
  /// A Mul by a vector (a per-channel scale) is not a candidate at all.
  private static func operands(of node: Node, in view: GraphView) -> (ValueID, ValueID)? {
    guard case .binary(let op) = node.op, let first = node.input(0), let second = node.input(1) else { return nil }
    let isFactor = { (value: ValueID) in view.constant(value)?.elementCount == 1 }
    let isComputed = { (value: ValueID) in view.constant(value) == nil }
    switch op {
    case .mul:
      if isFactor(second), isComputed(first) { return (first, second) }
      if isFactor(first), isComputed(second) { return (second, first) }
      return nil
    case .div:
      return isFactor(second) && isComputed(first) ? (first, second) : nil
    case .add, .sub, .pow, .mod, .equal, .compare, .prelu:
      return nil
    }
  }

  /// The factor the node multiplies by: a single finite value whose product with any float is exact.
  private static func factor(of node: Node, _ value: ValueID, in view: GraphView) throws(FoldDecline) -> Double {
    let name = view.graph[value].name
    guard let constant = view.constant(value), constant.dtype.isFloatingPoint, let scalar = constant.scalar else {
      throw FoldDecline("the factor '\(name)' is not a floating-point number")
    }
    let factor: Double
    if case .binary(.div) = node.op { factor = 1 / scalar } else { factor = scalar }
    guard factor.isNormal, factor.significandBitPattern == 0, Double(Float(factor)) == factor else {
      throw FoldDecline("the factor \(factor) is not a power of two; folding it would round every weight again")
    }
    return factor
  }
}
