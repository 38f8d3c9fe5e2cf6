import ResIR

/// Several passes run in order under one name: a pipeline stage (`canonicalize`) that a golden test or
/// `--passes` can ask for as a whole. A pass the user disabled by its own name is skipped inside the sequence
/// too.
public struct PassSequence: GraphPass {
  public let name: String
  public let passes: [any GraphPass]

  public init(name: String, passes: [any GraphPass]) {
    self.name = name
    self.passes = passes
  }

  public func run(on graph: inout Graph, context: inout PassContext) throws(ModelError) {
    for pass in passes where context.isEnabled(pass.name) {
      try pass.run(on: &graph, context: &context)
    }
  }
}
