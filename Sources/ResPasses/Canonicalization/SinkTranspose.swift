import ResIR

/// Moves a Transpose below the ops that read it when they do not care where its axes are, so that it meets the
/// inverse Transpose before the next convolution and `ComposeTransposes` removes both.
///
/// TensorFlow computes NHWC and ONNX convolutions NCHW, so tf2onnx wraps every convolution in a Transpose to
/// NHWC after it and one back before the next; its optimizer cancels the pairs, but not always (a Keras
/// MobileNetV3Small keeps 108 Transposes: each is a copy step, and each keeps the bias Add, the hard swish
/// and the squeeze-and-excitation ops between two transposes away from the convolution they belong to).
///
/// ## Before
/// ```
/// %t = Transpose "to_nhwc" (%c) {perm=[0,2,3,1]} : f32[1,6,6,4]
/// %a = Add "bias" (%t, @b) : f32[1,6,6,4]                      // @b: f32[4]
/// %r = Relu "relu" (%a) : f32[1,6,6,4]
/// %u = Transpose "to_nchw" (%r) {perm=[0,3,1,2]} : f32[1,4,6,6]
/// ```
/// ## After (with `compose-transposes` and dead-code elimination)
/// ```
/// %a = Add "bias" (%c, @b.untransposed) : f32[1,4,6,6]          // @b.untransposed: f32[4,1,1]
/// %u = Relu "relu" (%a) : f32[1,4,6,6]
/// ```
/// Exact: only where elements are stored changes. The ops: unary functions, Cast, Clip with one-element
/// bounds, binary arithmetic and comparisons (operands transposed alike, one element, or constants, which are
/// permuted), Pad, reductions that keep their axes, and Concat of tensors transposed alike
/// (`TransposeSinking`).
///
/// Declined: a Transpose whose result is a graph output or is also read by an op that cannot take the
/// Transpose below it (a convolution, a Reshape...): it would stay for that reader, and sinking would add a
/// second Transpose after this one. Not candidates: ops whose transposed operands have different perms, or
/// other operands that are computed.
public struct SinkTranspose: RewritePattern {
  public init() {}
  public let name = "sink-transpose"

  public struct Match {
    let node: NodeID
    let sinking: TransposeSinking
    /// The Transposes this node was the last reader of: removed with the rewrite, so that the patterns after
    /// this pass count the readers that are left (a dead Transpose would still read the convolution's result).
    let unusedAfter: Set<NodeID>
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard let sinking = TransposeSinking(node, in: view) else { return .notApplicable }
    var unusedAfter: Set<NodeID> = []
    for case let operand? in Set(node.inputs) {
      guard let transpose = view.producer(of: operand), case .transpose = transpose.op else { continue }
      if let reason = Self.staysFor(operand, in: view) { return .declined(reason) }
      let readers = view.uses(of: operand).allSatisfy { use in
        if case .operand(let reader, _) = use { return reader == node.id }
        return false
      }
      if readers { unusedAfter.insert(transpose.id) }
    }
    return .matched(Match(node: node.id, sinking: sinking, unusedAfter: unusedAfter))
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    guard let position = graph.position(of: match.node) else { return }
    let node = graph.nodes[position]
    let result = node.outputs[0]
    var inputs: [ValueID?] = []
    for operand in match.sinking.operands {
      switch operand {
      case .value(let value): inputs.append(value)
      case .constant(let name, let constant): inputs.append(graph.addConstant(name: name, constant))
      }
    }
    // The Transpose takes over the node's result (every reader keeps reading it); the node gets a new one.
    var transpose = graph.makeNode(
      name: node.name + ".transpose", op: .transpose(perm: match.sinking.perm), inputs: [nil],
      results: [(name: graph[result].name + ".untransposed", type: match.sinking.innerType)])
    let inner = transpose.outputs[0]
    transpose.inputs = [inner]
    transpose.outputs = [result]
    graph.updateNode(match.node) { node in
      node.op = match.sinking.op
      node.inputs = inputs
      node.outputs = [inner]
    }
    let next = position + 1 < graph.nodes.count ? graph.nodes[position + 1].id : nil
    graph.insert(transpose, before: next)
    graph.removeNodes(match.unusedAfter)
  }

  /// Why the Transpose computing `value` must stay where it is, if it must: it is a graph output, or a reader
  /// can take neither the Transpose below it nor a Transpose after it (`ComposeTransposes`), and will not
  /// once the ops between them have taken it (`awaitsItsOwnOperands`).
  private static func staysFor(_ value: ValueID, in view: GraphView) -> String? {
    let name = view.graph[value].name
    for use in view.uses(of: value) {
      switch use {
      case .graphOutput: return "the transposed '\(name)' is a graph output"
      case .operand(let id, _):
        guard let reader = view.node(id) else { continue }
        if case .transpose = reader.op { continue }
        if TransposeSinking(reader, in: view) == nil && !awaitsItsOwnOperands(reader, value, in: view) {
          return "the transposed '\(name)' is also read by \(reader.op.onnxName) \"\(reader.name)\", which needs it transposed"
        }
      }
    }
    return nil
  }

  /// Whether `reader` is an elementwise op whose other computed operands are computed from `value` by ops a
  /// Transpose sinks through: the Mul of a hard swish written out, `t · relu6(t + 3) / 6`, reads `t` and a
  /// tensor computed from it, and becomes a candidate once the Transpose has moved below that computation.
  private static func awaitsItsOwnOperands(_ reader: Node, _ value: ValueID, in view: GraphView) -> Bool {
    guard case .binary = reader.op else { return false }
    return reader.inputs.allSatisfy { operand in
      guard let operand, operand != value, view.constant(operand) == nil else { return true }
      return derives(operand, from: value, depth: maximumDerivationDepth, in: view)
    }
  }

  /// How many ops up from a reader's operand `awaitsItsOwnOperands` looks for the transposed value.
  private static let maximumDerivationDepth = 8

  /// Whether `operand` is `value`, or is computed from it by ops a Transpose sinks through whose other
  /// operands are constants or single elements, within `depth` ops.
  private static func derives(_ operand: ValueID, from value: ValueID, depth: Int, in view: GraphView) -> Bool {
    if operand == value { return true }
    guard depth > 0, let producer = view.producer(of: operand), producer.op.passesTransposes else { return false }
    var reachesValue = false
    for case let input? in producer.inputs {
      if derives(input, from: value, depth: depth - 1, in: view) {
        reachesValue = true
      } else if view.constant(input) == nil && view.type(of: input).knownDims?.allSatisfy({ $0 == 1 }) != true {
        return false
      }
    }
    return reachesValue
  }
}
