import ResIR

/// Removes Identity nodes and inference-mode Dropout (whose data result is its input), so later patterns see
/// producers and consumers directly connected.
///
/// ## Before
/// ```
/// %h = Identity "id" (%x) : f32[1,8]
/// %y = Relu "relu" (%h) : f32[1,8]
/// ```
/// ## After
/// ```
/// %y = Relu "relu" (%x) : f32[1,8]
/// ```
/// A graph output keeps its name (it is the compiled plan's API): when the Identity's result is an output,
/// the node that computes the Identity's input takes over the output value instead, if nothing else reads the
/// input. An Identity that passes a graph input or a constant straight to an output stays.
public struct EliminateIdentity: RewritePattern {
  public init() {}
  public let name = "eliminate-identity"

  public enum Match {
    /// Readers of `result` read `source` instead.
    case bypass(node: NodeID, result: ValueID, source: ValueID)
    /// The producer of `source` produces `result` directly.
    case renameProducerResult(node: NodeID, producer: NodeID, source: ValueID, result: ValueID)
  }

  public func match(_ node: Node, in view: GraphView) -> MatchResult<Match> {
    switch node.op {
    case .identity:
      break
    case .dropout:
      guard view.useCount(of: node.outputs[1]) == 0 else { return .declined("Dropout's mask is used") }
    default:
      return .notApplicable
    }
    guard let source = node.input(0) else { return .notApplicable }
    let result = node.outputs[0]
    guard view.isGraphOutput(result) else { return .matched(.bypass(node: node.id, result: result, source: source)) }
    guard let producer = view.producer(of: source) else {
      return .declined("it passes '\(view.graph[source].name)' straight to the graph output '\(view.graph[result].name)'")
    }
    guard view.useCount(of: source) == 1 else {
      return .declined("its result is the graph output '\(view.graph[result].name)' and its input has other readers")
    }
    return .matched(.renameProducerResult(node: node.id, producer: producer.id, source: source, result: result))
  }

  public func rewrite(_ match: Match, in graph: inout Graph) {
    switch match {
    case .bypass(let node, let result, let source):
      graph.replaceAllUses(of: result, with: source)
      graph.removeNodes([node])
    case .renameProducerResult(let node, let producer, let source, let result):
      graph.updateNode(producer) { producer in
        producer.outputs = producer.outputs.map { $0 == source ? result : $0 }
      }
      graph.removeNodes([node])
    }
  }
}
