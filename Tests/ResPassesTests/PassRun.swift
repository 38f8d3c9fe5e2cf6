import ResIR
import ResPasses
import Testing

/// Runs passes by their command-line names the way the pipeline does (verifying after each), and keeps the
/// context so tests can read what was applied and declined.
struct PassRun {
  var graph: Graph
  var context = PassContext()

  init(_ names: [String], on input: Graph) throws {
    let passes = try names.map { name in
      try #require(Pipeline.pass(named: name), "unknown pass '\(name)'; known: \(Pipeline.allNames)")
    }
    graph = input
    try PassManager(passes: passes, verifyEach: true).run(&graph, context: &context)
  }

  /// The reasons `pattern` gave for declining, by node name, in the order recorded.
  func declines(of pattern: String) -> [(node: String, reason: String)] {
    context.decisions.filter { $0.pattern == pattern && $0.outcome == .declined }.map { ($0.node, $0.detail) }
  }

  /// How many times `pattern` applied.
  func applied(_ pattern: String) -> Int { context.applied[pattern] ?? 0 }
}

extension Graph {
  /// How many nodes compute `onnxName` (`BatchNormalization`, `Conv`...).
  func count(of onnxName: String) -> Int {
    nodes.filter { $0.op.onnxName == onnxName }.count
  }
}
