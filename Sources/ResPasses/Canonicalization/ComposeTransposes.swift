import ResIR

/// A Transpose of a Transpose is one Transpose, and none when the two perms undo each other: the pairs
/// `sink-transpose` brings together around a tf2onnx model's convolutions (NCHW → NHWC → NCHW).
///
/// ## Before
/// ```
/// %t = Transpose "to_nhwc" (%x) {perm=[0,2,3,1]} : f32[1,6,6,4]
/// %y = Transpose "to_nchw" (%t) {perm=[0,3,1,2]} : f32[1,4,6,6]
/// %z = Relu "relu" (%y) : f32[1,4,6,6]
/// ```
/// ## After
/// ```
/// %z = Relu "relu" (%x) : f32[1,4,6,6]
/// ```
/// (`%t` goes too when nothing else reads it.) Exact. A cancelling pair whose result is a graph output keeps
/// the output's name (the plan's API): the node computing `%x` computes the output instead, as
/// `eliminate-identity` does for an Identity. Declined: such a pair when `%x` is a graph input or a constant,
/// or has other readers (the Transposes stay, as copies).
public struct ComposeTransposes: RewritePattern {
  public init() {}
  public let name = "compose-transposes"

  public struct Match {
    let node: NodeID
    let input: ValueID
    /// The single perm from `input`; nil when it is the identity.
    let perm: [Int]?
    /// The inner Transpose when this node is its only reader: removed with the rewrite.
    let unusedAfter: Set<NodeID>
    /// For a cancelling pair whose result is a graph output: the node that computes `input`, which computes
    /// the output instead.
    let outputProducer: NodeID?
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    guard case .transpose(let outer) = node.op, let inner = view.producer(of: node.input(0)),
      case .transpose(let first) = inner.op, let input = inner.input(0), first.count == outer.count
    else { return .notApplicable }
    // Result axis i is the inner result's axis outer[i], which is the input's axis first[outer[i]].
    let composed = outer.map { first[$0] }
    let innerResult = inner.outputs[0]
    let unusedAfter: Set<NodeID> =
      view.useCount(of: innerResult) == 1 && !view.isGraphOutput(innerResult) ? [inner.id] : []
    guard composed != Array(composed.indices) else {
      guard view.isGraphOutput(node.outputs[0]) else {
        return .matched(Match(node: node.id, input: input, perm: nil, unusedAfter: unusedAfter, outputProducer: nil))
      }
      let name = view.graph[node.outputs[0]].name
      guard let producer = view.producer(of: input), !unusedAfter.isEmpty, view.useCount(of: input) == 1,
        !view.isGraphOutput(input)
      else {
        return .declined(
          "the two Transposes cancel, but '\(name)' is a graph output and what they transpose is read elsewhere "
            + "or computed by no node")
      }
      return .matched(
        Match(node: node.id, input: input, perm: nil, unusedAfter: unusedAfter, outputProducer: producer.id))
    }
    return .matched(Match(node: node.id, input: input, perm: composed, unusedAfter: unusedAfter, outputProducer: nil))
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    guard let perm = match.perm else {
      guard let node = graph.node(match.node) else { return }
      let result = node.outputs[0]
      if let producer = match.outputProducer {
        graph.updateNode(producer) { producer in
          producer.outputs = producer.outputs.map { $0 == match.input ? result : $0 }
        }
      } else {
        graph.replaceAllUses(of: result, with: match.input)
      }
      graph.removeNodes(match.unusedAfter.union([match.node]))
      return
    }
    graph.updateNode(match.node) { node in
      node.op = .transpose(perm: perm)
      node.inputs = [match.input]
    }
    graph.removeNodes(match.unusedAfter)
  }
}
