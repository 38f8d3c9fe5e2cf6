/// The numbers behind `--stats`: what each pass and each pattern did, and how the op mix changed.
public struct OptimizationStatistics: Sendable {
  /// One pass that ran.
  public struct PassLine: Sendable, Hashable {
    public var index: Int
    public var name: String
    public var applied: Int
    public var declined: Int
    public var nodesBefore: Int
    public var nodesAfter: Int
    public var duration: Duration
  }

  /// One pattern (or whole-graph pass) that considered at least one candidate.
  public struct PatternLine: Sendable, Hashable {
    public var pattern: String
    public var applied: Int
    public var declined: Int
  }

  /// Nodes of one ONNX op type before the first pass and after the last.
  public struct OpLine: Sendable, Hashable {
    public var op: String
    public var before: Int
    public var after: Int
  }

  public var passes: [PassLine]
  /// Sorted by pattern name.
  public var patterns: [PatternLine]
  /// Sorted by op name; every op present before or after.
  public var ops: [OpLine]

  public init(_ model: OptimizedModel) {
    passes = model.passRuns.map {
      PassLine(
        index: $0.index, name: $0.name, applied: $0.appliedCount, declined: $0.declinedCount,
        nodesBefore: $0.nodesBefore, nodesAfter: $0.nodesAfter, duration: $0.duration)
    }
    patterns = Self.patternLines(model.passRuns.flatMap(\.decisions))
    ops = Self.opLines(before: model.imported, after: model.graph)
  }

  public var totalApplied: Int { passes.reduce(0) { $0 + $1.applied } }
  public var totalDuration: Duration { passes.reduce(.zero) { $0 + $1.duration } }

  private static func patternLines(_ decisions: [Decision]) -> [PatternLine] {
    var counts: [String: (applied: Int, declined: Int)] = [:]
    for decision in decisions {
      var count = counts[decision.pattern, default: (0, 0)]
      switch decision.outcome {
      case .applied: count.applied += 1
      case .declined: count.declined += 1
      }
      counts[decision.pattern] = count
    }
    return counts.keys.sorted().compactMap { pattern in
      counts[pattern].map { PatternLine(pattern: pattern, applied: $0.applied, declined: $0.declined) }
    }
  }

  private static func opLines(before: Graph, after: Graph) -> [OpLine] {
    let counted = (opCounts(before), opCounts(after))
    return Set(counted.0.keys).union(counted.1.keys).sorted().map {
      OpLine(op: $0, before: counted.0[$0] ?? 0, after: counted.1[$0] ?? 0)
    }
  }

  private static func opCounts(_ graph: Graph) -> [String: Int] {
    var counts: [String: Int] = [:]
    for node in graph.nodes { counts[node.op.onnxName, default: 0] += 1 }
    return counts
  }
}
