import ResIR

/// Folds a ScaleShift with an empty epilogue into the weights of the convolutions (and Gemm/MatMul layers)
/// that read it, so the per-channel affine map costs nothing at run time: each consumer computes from the
/// ScaleShift's input with `W'[o,c,k] = W[o,c,k]·s[c]` and `b'[o] = b[o] + Σ_{c∈group(o),k} W[o,c,k]·t[c]`.
///
/// ## Before
/// ```
/// const @scale: f32[4] = [2.0,0.5,-1.0,1.5]
/// const @shift: f32[4] = [0.25,-0.5,0.0,1.0]
/// %s = ScaleShift "bn" (%x, @scale, @shift) {axis=1} : f32[1,4,6,6]
/// %y = Conv "conv" (%s, @w, @b) {group=1, kernel_shape=[1,1], pads=[0,0,0,0], ...} : f32[1,8,6,6]
/// ```
/// ## After
/// ```
/// const @w.scale_shift_folded: f32[8,4,1,1] fingerprint ...
/// const @b.scale_shift_folded: f32[8] = [...]
/// %y = Conv "conv" (%x, @w.scale_shift_folded, @b.scale_shift_folded) {group=1, kernel_shape=[1,1], ...}
/// ```
/// Grouped and depthwise convolutions fold too: input channel `c` belongs to one group, and only that group's
/// outputs see it. A Gemm (A not transposed, B constant, either `transB`) folds with `C' = β·C + α·(t·op(B))`
/// and `β' = 1`; a MatMul whose A is a matrix folds the shift into its fused bias. The consumer's own epilogue
/// is unaffected: it comes after the bias.
///
/// **Zero padding.** A convolution pads its *input* with zeros. Before the fold, a padded cell holds 0 and
/// contributes nothing; after it, the folded bias still adds that kernel tap's share `W·t` of the shift, as if
/// the cell held `0·s + t`, so outputs near the border change. The fold is therefore exact only for a conv
/// that reads no padded cell (all pads 0, `auto_pad` VALID/NOTSET, or SAME with a 1x1 kernel), or when every
/// shift is exactly 0 (a pure scale maps the padding's zero to zero). Otherwise it declines and the ScaleShift
/// stays a step of its own (peer-pitfalls 18: work on a conv's input is not the conv's to absorb; 25: SAME
/// padding pads like explicit pads).
///
/// In the pipeline this runs after `fuse-epilogue`, once each ScaleShift's activation is decided: a
/// ScaleShift that took a ReLU is no longer affine and stays (peer-pitfalls 19: no scale folds across a
/// nonlinearity); the ones still empty then fold. Every reader must be a Conv/Gemm/MatMul reading it as its
/// data input (operand 0), or nothing folds: a reader left with the ScaleShift would still need the step.
///
/// Declined, each with its reason: an activation or residual in the ScaleShift's epilogue; a result that is
/// a graph output; a scale or shift that is not a constant; a reader that is another op or reads it as
/// another operand; and per reader, the guards of `ScaleShiftConsumer` (padding, weight and bias constants,
/// shapes, a transposed A, a folded value that does not fit the weight's dtype).
public struct FoldScaleShiftIntoConv: RewritePattern {
  public init() {}
  public let name = "fold-scale-shift-into-conv"

  public struct Match {
    let scaleShift: NodeID
    /// The ScaleShift's input, which the consumers read instead.
    let input: ValueID
    let consumers: [ScaleShiftConsumer]
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard case .scaleShift(let axis, let epilogue) = node.op, let input = node.input(0) else {
      return .notApplicable
    }
    let result = node.outputs[0]
    guard view.useCount(of: result) > 0 else { return .notApplicable }
    do throws(FoldDecline) {
      try Self.requireAffine(node, epilogue)
      let map = try Self.affineMap(node, axis: axis, in: view)
      let consumers = try Self.readers(of: result, in: view).map { (reader) throws(FoldDecline) in
        try ScaleShiftConsumer(folding: map, into: reader, input: view.type(of: result), in: view)
      }
      return .matched(Match(scaleShift: node.id, input: input, consumers: consumers))
    } catch {
      return .declined(error.reason)
    }
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    for consumer in match.consumers {
      let weight = graph.addConstant(name: consumer.weight.name, consumer.weight.constant)
      let bias = consumer.bias.map { graph.addConstant(name: $0.name, $0.constant) }
      graph.updateNode(consumer.node) { node in
        node.op = consumer.op
        node.setOperand(0, to: match.input)
        node.setOperand(1, to: weight)
        if let bias { node.setOperand(2, to: bias) }
      }
    }
    graph.removeNodes([match.scaleShift])
  }

  /// Only an empty epilogue leaves `x·s + t` affine in `x`.
  private static func requireAffine(_ node: Node, _ epilogue: Epilogue) throws(FoldDecline) {
    let label = "ScaleShift \"\(node.name)\""
    if let activation = epilogue.activation {
      throw FoldDecline("\(label) applies \(activation) in its epilogue; a nonlinearity does not fold into weights")
    }
    guard !epilogue.residual else {
      throw FoldDecline("\(label) adds a residual in its epilogue, which no consumer's weights can absorb")
    }
  }

  /// The constant scale and shift along `axis`.
  private static func affineMap(_ node: Node, axis: Int, in view: GraphView) throws(FoldDecline)
    -> ScaleShiftConsumer.AffineMap
  {
    guard let scale = view.constant(node.input(1)) else { throw FoldDecline("the ScaleShift's scale is computed") }
    guard let shift = view.constant(node.input(2)) else { throw FoldDecline("the ScaleShift's shift is computed") }
    guard scale.elementCount == shift.elementCount else {
      throw FoldDecline("the ScaleShift's scale has \(scale.elementCount) values, its shift \(shift.elementCount)")
    }
    return ScaleShiftConsumer.AffineMap(scale: scale.doubles(), shift: shift.doubles(), axis: axis)
  }

  /// The nodes reading `result`, each as its operand 0; the result must not be a graph output.
  private static func readers(of result: ValueID, in view: GraphView) throws(FoldDecline) -> [Node] {
    let name = view.graph[result].name
    guard !view.isGraphOutput(result) else {
      throw FoldDecline("'\(name)' is a graph output and must stay observable")
    }
    for use in view.uses(of: result) {
      guard case .operand(let id, let slot) = use, slot != 0, let reader = view.node(id) else { continue }
      throw FoldDecline("\(ScaleShiftConsumer.label(reader)) reads '\(name)' as operand \(slot), not as its input")
    }
    return view.consumers(of: result)
  }
}
