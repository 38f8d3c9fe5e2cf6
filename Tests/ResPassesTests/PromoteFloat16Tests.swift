import ResIR
import ResPasses
import ResReference
import ResTestSupport
import Testing

/// `promote-float16` (the default; `--float16-compute float16` turns it off): a float16 model's constants, results and casts become
/// float32 inside the graph while its inputs and outputs keep their names and float16 types; it computes what
/// the reference evaluator computes for the model within float16's rounding; a float32 model is left alone.
@Suite struct PromoteFloat16Tests {
  /// A float16 MatMul, Relu and Cast chain: after the pass only the edge casts are float16.
  static func halfModel() throws -> (GraphBuilder, ValueID, ValueID) {
    let b = GraphBuilder()
    let x = b.input("f16[2,8]", name: "x")
    let weights = b.constant("f16[8,4]", (0..<32).map { Double($0 % 7) * 0.125 - 0.375 })
    let product = try b.value(.matMul(.none), [x, weights], name: "mm")
    let relu = try b.value(.unary(.relu), [product], name: "relu")
    let narrowed = try b.value(.cast(to: .float16), [relu], name: "to_half")
    let y = try b.value(.binary(.add), [narrowed, b.constant("f16[4]", [0.5, -0.25, 1, 0])], name: "y")
    b.graph.outputs = [y, x]
    return (b, x, y)
  }

  @Test func halfValuesBecomeFloat32InsideTheGraph() throws {
    let (b, x, y) = try Self.halfModel()
    let names = b.graph.outputs.map { b.graph[$0].name }
    let (graph, context) = try run(b.graph)

    #expect(graph.inputs == [x] && graph.type(of: x).dtype == .float16, "the input is what callers pass")
    #expect(graph.nodes.first?.op == .cast(to: .float32) && graph.nodes.first?.inputs == [x])
    #expect(graph.nodes.last?.op == .cast(to: .float16))
    #expect(graph.outputs.map { graph[$0].name } == names, "outputs keep their names")
    #expect(graph.outputs.map { graph.type(of: $0).dtype } == [.float16, .float16])
    #expect(graph.outputs[1] == x, "an input listed as an output stays that input")
    #expect(graph.outputs[0] != y)
    let inner = graph.nodes.dropFirst().dropLast()
    #expect(inner.map(\.name) == ["mm", "relu", "to_half", "y"])
    #expect(inner.allSatisfy { node in node.outputs.allSatisfy { graph.type(of: $0).dtype == .float32 } })
    #expect(inner.allSatisfy { node in node.presentInputs.allSatisfy { graph.type(of: $0).dtype == .float32 } })
    #expect(inner.contains { $0.op == .cast(to: .float32) } && !inner.contains { $0.op == .cast(to: .float16) })
    #expect(context.modelChanges.count == 1 && context.modelChanges[0].contains("--float16-compute float16"))
  }

  /// The promoted graph computes the model's values within float16's rounding (the reference rounds every
  /// result to float16; the promoted graph only the output).
  @Test func thePromotedGraphComputesTheModel() throws {
    let (b, _, _) = try Self.halfModel()
    let (graph, _) = try run(b.graph)
    let inputs = try SeededInputs.make(for: b.graph, seed: 3)
    let expected = try ReferenceEvaluator.evaluate(b.graph, inputs: inputs)
    let actual = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    for (a, e) in zip(actual, expected) {
      let comparison = ToleranceComparison(actual: a, expected: e, rtol: 1e-2, atol: 1e-2)
      #expect(comparison.passed, "\(comparison)")
      #expect(a.dtype == e.dtype && a.shape == e.shape)
    }
  }

  /// A float16 constant listed as an output stays that constant; a ConstantOfShape filling with float16
  /// fills with float32.
  @Test func constantOutputsAndFillsFollow() throws {
    let b = GraphBuilder()
    let k = b.constant("f16[2]", [1, 2])
    let filled = try b.value(.constantOfShape(ScalarValue(dtype: .float16, value: 1.5)), [b.int64s([2])], name: "fill")
    let sum = try b.value(.binary(.add), [filled, b.input("f16[2]")], name: "sum")
    b.graph.outputs = [k, sum]
    let (graph, _) = try run(b.graph)
    #expect(graph.outputs[0] == k)
    #expect(graph.nodes.contains { $0.op == .constantOfShape(ScalarValue(dtype: .float32, value: 1.5)) })
    #expect(graph.type(of: graph.outputs[1]).dtype == .float16)
  }

  /// Must not fire: a float32 model (with an integer Cast) is returned as it was, and nothing is recorded.
  @Test func aFloat32ModelIsLeftAlone() throws {
    let b = GraphBuilder()
    let x = b.input("f32[2,8]")
    let y = try b.value(.unary(.relu), [x], name: "relu")
    let z = try b.value(.cast(to: .int64), [y], name: "to_int")
    b.graph.outputs = [y, z]
    let (graph, context) = try run(b.graph)
    #expect(graph.nodes.map(\.op) == b.graph.nodes.map(\.op))
    #expect(graph.outputs == b.graph.outputs)
    #expect(context.modelChanges.isEmpty && context.decisions.isEmpty)
  }

  private func run(_ graph: Graph) throws -> (Graph, PassContext) {
    var result = graph
    var context = PassContext()
    try Verifier.verify(result)
    try PassManager(passes: [PromoteFloat16()], verifyEach: true).run(&result, context: &context)
    return (result, context)
  }
}
