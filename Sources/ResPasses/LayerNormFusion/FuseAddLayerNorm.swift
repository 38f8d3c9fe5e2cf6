import ResIR

/// Fuses the residual Add of a post-LN transformer into the LayerNormalization that reads it:
/// `LayerNorm(x + sublayer(x))` becomes one LayerNormalization that adds its residual operand (slot 3) to X
/// as it loads each row, so the sum is never written out and read back.
///
/// ## Before
/// ```
/// %s = Add "add" (%x, %attn) : f32[1,16,32]
/// %y, %m, %i = LayerNormalization "norm1" (%s, @g, @b) {axis=2, epsilon=1e-05} : f32[1,16,32], ...
/// ```
/// ## After
/// ```
/// %y, %m, %i = LayerNormalization "norm1" (%x, @g, @b, %attn) {axis=2, epsilon=1e-05, residual=1} : ...
/// ```
/// The Add's first operand becomes X and its second the residual; addition commutes, and the fused node
/// rounds the sum to X's type exactly as the Add did, so the result is the same bit for bit.
///
/// Declines when the sum is read by anything else or is a graph output (a pre-LN transformer's residual
/// stream feeds the next block's Add as well as its LayerNorm: that Add belongs to the producing MatMul's
/// epilogue instead), when the operands broadcast or are not provably of one shape (the fused residual is read
/// element by element, never broadcast; peer-pitfalls 12, 21, 22), and when the LayerNormalization already adds
/// a residual. The normalized axes need not be the last one alone: the kernel adds the residual over whole
/// rows of the normalized axes, whichever axis they start at.
///
/// It must run before `fuse-epilogue`, which would otherwise fuse the same Add into the MatMul that produces
/// one of its operands, leaving the LayerNorm to read the sum from memory.
public struct FuseAddLayerNorm: RewritePattern {
  public init() {}
  public let name = "fuse-add-layernorm"

  public struct Match {
    var normalization: NodeID
    var add: NodeID
    var attributes: LayerNormAttributes
    var x: ValueID
    var residual: ValueID
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard case .layerNormalization(let attributes) = node.op, let add = view.producer(of: node.input(0)),
      case .binary(.add) = add.op, let x = add.input(0), let residual = add.input(1)
    else { return .notApplicable }
    let sum = add.outputs[0]
    let label = "the Add \"\(add.name)\""
    if attributes.residual { return .declined("it already adds a residual") }
    if let reason = view.intermediateDecline(sum) { return .declined("the sum of \(label): \(reason)") }
    let (xType, residualType) = (view.type(of: x), view.type(of: residual))
    guard xType.provablyEquals(residualType), xType.provablyEquals(view.type(of: sum)) else {
      return .declined(
        "\(label) adds '\(view.graph[x].name)' \(xType) and '\(view.graph[residual].name)' \(residualType): "
          + "not provably one shape, and a fused residual is never broadcast")
    }
    return .matched(
      Match(normalization: node.id, add: add.id, attributes: attributes, x: x, residual: residual))
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    var attributes = match.attributes
    attributes.residual = true
    graph.updateNode(match.normalization) { normalization in
      normalization.op = .layerNormalization(attributes)
      normalization.inputs[0] = match.x
      normalization.setOperand(Op.residualSlot, to: match.residual)
    }
    graph.removeNodes([match.add])
  }
}
