import Foundation
import ResIR
import Testing

/// The spellings of the fused forms in the text form, JSON and DOT: `ScaleShift {axis=...} epilogue(...)`,
/// `LayerNormalization {..., residual=1}` with the residual in operand slot 3, and `GatedSkip`.
@Suite struct FusedFormTextTests {
  /// A post-LN highway block using all three forms, in the exact printed form.
  static let block = """
    graph "fused" {
      input %x: f32[2,4,3]
      input %skip: f32[2,4,3]
      const @scale: f32[4] = [0.5,1.0,1.5,2.0]
      const @shift: f32[4] = [0.0,-0.25,0.25,1.0]
      const @gamma: f32[3] = [1.0,0.5,2.0]
      %bn = ScaleShift "bn" (%x, @scale, @shift, %skip) {axis=1} epilogue(residual %skip, relu) : f32[2,4,3]
      %ln, %mean, %inv = LayerNormalization "ln" (%bn, @gamma, _, %x) {axis=2, epsilon=1e-05, residual=1} : f32[2,4,3], f32[2,4,1], f32[2,4,1]
      %gate = Sigmoid "t" (%ln) : f32[2,4,3]
      %y = GatedSkip "highway" (%gate, %ln, %bn) : f32[2,4,3]
      return %y, %mean
    }

    """

  @Test func blockParsesVerifiesAndPrintsBack() throws {
    let graph = try TextFormat.parse(Self.block)
    try Verifier.verify(graph)
    #expect(TextFormat.print(graph) == Self.block)
    #expect(graph.nodes[0].op == .scaleShift(axis: 1, epilogue: Epilogue(residual: true, activation: .relu)))
    #expect(graph.nodes[1].op == .layerNormalization(LayerNormAttributes(axis: 2, epsilon: 1e-5, residual: true)))
    #expect(graph.nodes[3].op == .gatedSkip)
  }

  /// Without a residual, LayerNormalization prints as before (no `residual=0`), and `residual=0` written by
  /// hand means the same.
  @Test func residualFlagIsShownOnlyWhenSet() throws {
    let text = Self.block.replacingOccurrences(
      of: "(%bn, @gamma, _, %x) {axis=2, epsilon=1e-05, residual=1}",
      with: "(%bn, @gamma) {axis=2, epsilon=1e-05, residual=0}")
    let graph = try TextFormat.parse(text)
    try Verifier.verify(graph)
    #expect(graph.nodes[1].op == .layerNormalization(LayerNormAttributes(axis: 2, epsilon: 1e-5)))
    #expect(TextFormat.print(graph).contains(#"LayerNormalization "ln" (%bn, @gamma) {axis=2, epsilon=1e-05} : "#))
  }

  @Test(arguments: [
    (#"%y = GatedSkip "highway" (%gate, %ln, %bn) epilogue(relu)"#, "GatedSkip cannot carry an epilogue"),
    (
      #"%y = LayerNormalization "highway" (%gate, @gamma, _, %bn) {axis=2, epsilon=1e-05} epilogue(residual %bn)"#,
      "LayerNormalization cannot carry an epilogue"
    ),
    (#"%y = ScaleShift "highway" (%gate, @scale, @shift)"#, "ScaleShift is missing attribute 'axis'"),
    (
      #"%y = ScaleShift "highway" (%gate, @scale, @shift, %x) {axis=1} epilogue(residual %bn)"#,
      "epilogue residual %bn does not match the node's residual operand (slot 3: %x)"
    ),
    (
      #"%y = LayerNormalization "highway" (%gate, @gamma, _, %bn) {axis=2, epsilon=1e-05, residual=2}"#,
      "attribute 'residual' of LayerNormalization must be 0 or 1"
    ),
  ])
  func malformedFusedNodesAreRejected(_ line: String, _ message: String) {
    let text = Self.block.replacingOccurrences(of: #"%y = GatedSkip "highway" (%gate, %ln, %bn)"#, with: line)
    #expect(throws: TextParseError.self) { try TextFormat.parse(text) }
    do {
      _ = try TextFormat.parse(text)
    } catch {
      #expect(error.message == message)
    }
  }

  @Test func jsonShowsTheFusedForms() throws {
    let graph = try TextFormat.parse(Self.block)
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(JSONDump.render(graph).utf8)) as? [String: Any])
    let nodes = try #require(json["nodes"] as? [[String: Any]])
    #expect(nodes.map { $0["op"] as? String } == ["ScaleShift", "LayerNormalization", "Sigmoid", "GatedSkip"])
    let affine = try #require(nodes[0]["epilogue"] as? [String: Any])
    #expect(affine["residual"] as? String == "skip")
    #expect((affine["activation"] as? [String: Any])?["kind"] as? String == "relu")
    #expect((nodes[0]["attributes"] as? [String: Any])?["axis"] as? Int == 1)
    #expect((nodes[1]["attributes"] as? [String: Any])?["residual"] as? Int == 1)
    #expect((nodes[1]["inputs"] as? [Any])?.last as? String == "x")
    #expect(nodes[1]["epilogue"] == nil)
    #expect(nodes[3]["epilogue"] == nil)
    #expect((nodes[3]["inputs"] as? [String]) == ["gate", "ln", "bn"])
  }

  /// Both fused residuals are drawn dashed and both nodes shaded; GatedSkip's skip is an ordinary operand.
  @Test func dotDrawsBothResidualsDashed() throws {
    let text = DOTDump.render(try TextFormat.parse(Self.block))
    #expect(text.components(separatedBy: "style=dashed").count - 1 == 2)
    #expect(text.contains("  input1 -> node0 [label=\"f32[2,4,3]\", style=dashed];\n"))
    #expect(text.contains("  input0 -> node1 [label=\"f32[2,4,3]\", style=dashed];\n"))
    #expect(text.components(separatedBy: "fillcolor").count - 1 == 2)
    #expect(text.contains("ScaleShift\\nbn"))
  }
}
