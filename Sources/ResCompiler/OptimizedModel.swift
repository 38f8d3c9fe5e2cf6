/// The optimizer's result: the graph it made and what it decided on the way.
public struct OptimizedModel: Sendable {
  /// The graph as imported, before any pass (for before/after counts).
  public var imported: Graph
  public var graph: Graph
  /// Every decision, how often each pattern applied, and the model changes to report.
  public var record: PassContext
  /// Each pass that ran, in order.
  public var passRuns: [PassRun]

  /// The changes to the model's meaning the user must hear about (summary, dump headers), in the order made.
  public var modelChanges: [String] { record.modelChanges }
}
