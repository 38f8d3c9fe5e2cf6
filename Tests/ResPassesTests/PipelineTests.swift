import ResIR
import ResPasses
import ResTestSupport
import Testing

/// The pipeline's canonicalization stage: its order, levels and reasons, and the stage as one pass.
@Suite struct PipelineTests {
  static let stage = [
    "eliminate-identity", "sum-of-two-as-add", "fold-constants", "merge-identical-constants",
    "eliminate-common-subexpressions", "sink-transposes", "fold-pad-into-conv", "recognize-prelu",
    "dead-code",
  ]

  @Test func canonicalizationRunsFromO1InOrder() {
    #expect(Pipeline.passes(for: .none).isEmpty)
    #expect(Array(Pipeline.passes(for: .basic).map(\.name).prefix(Self.stage.count)) == Self.stage)
    for entry in Pipeline.entries {
      #expect(!entry.reason.isEmpty, "\(entry.pass.name) has no reason")
    }
    let names = Pipeline.entries.map(\.pass.name)
    #expect(Set(names).count == names.count, "a pass name appears twice: \(names)")
  }

  @Test func everyPassRunsByName() {
    for name in Self.stage + ["canonicalize"] {
      #expect(Pipeline.pass(named: name)?.name == name)
      #expect(Pipeline.allNames.contains(name))
    }
    #expect(Pipeline.allNames == Pipeline.allNames.sorted())
  }

  /// `canonicalize` runs the stage's passes; one disabled by name is skipped inside it.
  @Test func theStageHonoursDisabledPasses() throws {
    let b = GraphBuilder()
    let scale = try b.value(.binary(.div), [b.constant("f32[]", [1]), b.constant("f32[]", [8])], name: "div")
    b.graph.outputs = [try b.value(.binary(.mul), [b.input("f32[4]"), scale], name: "mul")]
    let stage = try #require(Pipeline.pass(named: "canonicalize"))

    var folded = b.graph
    var context = PassContext()
    try PassManager(passes: [stage]).run(&folded, context: &context)
    #expect(folded.nodes.map(\.name) == ["mul"])

    var kept = b.graph
    var disabled = PassContext(disabled: ["fold-constants"])
    try PassManager(passes: [stage]).run(&kept, context: &disabled)
    #expect(kept.nodes.map(\.name) == ["div", "mul"])
  }
}
