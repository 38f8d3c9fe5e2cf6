import ResIR
import ResTestSupport
import Testing

/// A 10,000-node chain: inference and verification are loops, so neither recursion depth nor quadratic
/// copying of the value table may show up.
@Suite struct LongChainTests {
  static let length = 10_000

  /// Alternating Add (with a residual-style skip to the input) and Relu, built node by node the way the
  /// importer does.
  private func chain() throws -> GraphBuilder {
    let b = GraphBuilder()
    let x = b.input("f32[N,64]")
    var current = x
    for i in 0..<LongChainTests.length / 2 {
      let sum = try b.value(.binary(.add), [current, x], name: "add\(i)")
      current = try b.value(.unary(.relu), [sum], name: "relu\(i)")
    }
    b.graph.outputs = [current]
    return b
  }

  @Test func inferenceAndVerificationAreLinear() throws {
    let clock = ContinuousClock()
    var b: GraphBuilder?
    let building = try clock.measure { b = try chain() }
    let graph = try #require(b).graph
    #expect(graph.nodes.count == LongChainTests.length)
    #expect(graph.type(of: graph.outputs[0]).description == "f32[N,64]")

    var copy = graph
    let rerun = try clock.measure { try ShapeInference.run(&copy) }
    let verification = try clock.measure { try Verifier.verify(graph) }
    // Generous bounds for a loaded debug build; a quadratic walk over 10,000 nodes takes far longer.
    #expect(building < .seconds(5))
    #expect(rerun < .seconds(5))
    #expect(verification < .seconds(5))
  }

  @Test func verifierReportsBreakAtTheEndOfALongChain() throws {
    let b = try chain()
    let last = b.graph.nodes.count - 1
    b.graph.setType(TensorType.spelled("f32[N,32]"), of: b.graph.nodes[last].outputs[0])
    let error = modelError { try Verifier.verify(b.graph) }
    #expect(error?.node == "relu\(LongChainTests.length / 2 - 1)")
  }
}
