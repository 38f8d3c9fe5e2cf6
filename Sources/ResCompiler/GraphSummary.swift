/// Counts that describe a graph in a few lines: what `rescompile MODEL.onnx` prints after importing.
public struct GraphSummary: Sendable, Hashable {
  public struct OpCount: Sendable, Hashable {
    public var op: String
    public var count: Int
  }

  public var nodeCount: Int
  /// Nodes per ONNX op type, sorted by op name so the summary is deterministic.
  public var opCounts: [OpCount]
  public var constantCount: Int
  public var constantBytes: Int
  /// `name: type` per graph input and output.
  public var inputs: [String]
  public var outputs: [String]

  public init(_ graph: Graph) {
    nodeCount = graph.nodes.count
    var counts: [String: Int] = [:]
    for node in graph.nodes { counts[node.op.onnxName, default: 0] += 1 }
    opCounts = counts.sorted { $0.key < $1.key }.map { OpCount(op: $0.key, count: $0.value) }
    let constants = graph.liveConstants()
    constantCount = constants.count
    constantBytes = constants.reduce(0) { $0 + (graph.constant($1)?.bytes.count ?? 0) }
    inputs = graph.inputs.map { "\(graph[$0].name): \(graph[$0].type)" }
    outputs = graph.outputs.map { "\(graph[$0].name): \(graph[$0].type)" }
  }

  /// `Add×8 Conv×20 Relu×17 ...`.
  public var opCountsLine: String {
    opCounts.map { "\($0.op)×\($0.count)" }.joined(separator: " ")
  }
}
