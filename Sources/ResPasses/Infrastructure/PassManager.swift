import ResIR

/// Runs a list of passes in order, with the instrumentation the command line offers: verify after each pass,
/// and an observer called after each pass (for `--print-after`, `--print-after-all`, and `--verify-each`'s
/// numeric drift check, which lives with the reference evaluator in ResCompiler).
public struct PassManager: Sendable {
  public var passes: [any GraphPass]
  /// Run the verifier after every pass; a failure names the pass (a compiler bug, not a model problem).
  public var verifyEach: Bool

  public init(passes: [any GraphPass], verifyEach: Bool = true) {
    self.passes = passes
    self.verifyEach = verifyEach
  }

  /// Runs every enabled pass. `observe` sees the graph after each pass that ran.
  public func run(
    _ graph: inout Graph, context: inout PassContext,
    observe: (_ pass: String, _ graph: Graph) throws(ModelError) -> Void = { _, _ in }
  ) throws(ModelError) {
    for pass in passes where context.isEnabled(pass.name) {
      try pass.run(on: &graph, context: &context)
      if verifyEach {
        do {
          try Verifier.verify(graph)
        } catch {
          throw ModelError("internal error: the graph after pass '\(pass.name)' does not verify: \(error)")
        }
      }
      try observe(pass.name, graph)
    }
  }
}
