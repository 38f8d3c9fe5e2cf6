import ResIR
import ResPasses
import ResReference
import ResTestSupport
import Testing

/// What `fold-constants` folds and declines beyond the golden cases: the size rule with a small limit, the
/// reasons `--explain` shows, exact integers, failures in the model's own constants, and long chains.
@Suite struct FoldConstantsTests {
  /// Above the limit, a result larger than every operand (Expand of a small constant) stays a node and says
  /// why; a result no larger than its largest operand (the Cast of a weight) is folded whatever its size.
  @Test func theSizeLimitSparesConversionsOfWeights() throws {
    let b = GraphBuilder()
    let weight = try b.value(
      .cast(to: .float32), [b.constant("f16[8,8]", [Double](repeating: 0.5, count: 64))], name: "cast")
    let product = try b.value(.matMul(.none), [b.input("f32[2,8]"), weight], name: "matmul")
    let grown = try b.value(.expand, [b.constant("f32[2,1]", [1, 2]), b.int64s([2, 64])], name: "expand")
    let sum = try b.value(.binary(.add), [grown, b.input("f32[2,64]", name: "z")], name: "add")
    b.graph.outputs = [product, sum]

    let (graph, context) = try run(FoldConstants(elementLimit: 16), on: b.graph)
    #expect(graph.nodes.map(\.name) == ["matmul", "expand", "add"])
    let castWeight = try #require(graph.nodes[0].input(1))
    #expect(graph.constant(castWeight)?.doubles() == [Double](repeating: 0.5, count: 64))
    let decline = try #require(context.decisions.first { $0.node == "expand" })
    #expect(decline.outcome == .declined)
    #expect(decline.detail.contains("128 elements"))
    #expect(decline.detail.contains("largest operand (2)") && decline.detail.contains("limit (16)"))
  }

  /// `--explain` names the symbolic dimension a value depends on, and says when a result is a graph output.
  @Test func declinesSayWhy() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,8]")
    let shape = try b.value(.shape(start: 0, end: nil), [x], name: "shape")
    let sum = try b.value(.binary(.add), [b.int64s([1, 2]), b.int64s([3, 4])], name: "constant_sum")
    b.graph.outputs = [shape, sum]

    let (graph, context) = try run(FoldConstants(), on: b.graph)
    #expect(graph.nodes.count == 2)
    let reasons = context.decisions.map { "\($0.node): \($0.detail)" }
    #expect(reasons.count == 2)
    #expect(reasons[0].hasPrefix("shape:") && reasons[0].contains("= [N,8]"))
    #expect(reasons[0].contains("depends on the symbolic dimension N"))
    #expect(reasons[1].hasPrefix("constant_sum:") && reasons[1].contains("graph output"))
  }

  /// Int64 values beyond 2^53 survive folding exactly (they never pass through Double).
  @Test func foldedIntegersAreExact() throws {
    let b = GraphBuilder()
    let sum = try b.value(.binary(.add), [b.int64s([Int64.max - 1]), b.int64s([1])])
    let y = try b.value(.binary(.sub), [b.input("i64[1]"), sum], name: "sub")
    b.graph.outputs = [y]
    let (graph, _) = try run(FoldConstants(), on: b.graph)
    let operand = try #require(graph.nodes.first?.input(1))
    #expect(graph.constant(operand)?.integers() == [Int(Int64.max)])
  }

  /// A node of constants that cannot be evaluated (an integer division by zero in the model's own constants)
  /// could never run: the error names it.
  @Test func evaluationFailureNamesTheNode() throws {
    let b = GraphBuilder()
    let quotient = try b.value(.binary(.div), [b.int64s([1]), b.int64s([0])], name: "bad_division")
    b.graph.outputs = [try b.value(.binary(.add), [b.input("i64[1]"), quotient])]
    #expect {
      _ = try run(FoldConstants(), on: b.graph)
    } throws: { error in
      (error as? ModelError)?.node == "bad_division"
    }
  }

  /// Constant arithmetic 10,000 nodes deep folds to one constant (a loop, not recursion).
  @Test func aLongChainOfConstantsFoldsWithoutRecursion() throws {
    let b = GraphBuilder()
    var value = b.int64s([0])
    let one = b.int64s([1], name: "one")
    for _ in 0..<10_000 { value = try b.value(.binary(.add), [value, one]) }
    b.graph.outputs = [try b.value(.binary(.add), [b.input("i64[1]"), value], name: "last")]
    let foldAndClean = PassSequence(name: "fold", passes: [FoldConstants(), DeadCodeElimination()])
    let (graph, context) = try run(foldAndClean, on: b.graph)
    #expect(graph.nodes.map(\.name) == ["last"])
    let operand = try #require(graph.nodes[0].input(1))
    #expect(graph.constant(operand)?.integers() == [10_000])
    #expect(context.applied["fold-constants"] == 10_000)
  }

  private func run(_ pass: any GraphPass, on graph: Graph) throws -> (Graph, PassContext) {
    var result = graph
    var context = PassContext()
    try Verifier.verify(result)
    try PassManager(passes: [pass], verifyEach: true).run(&result, context: &context)
    return (result, context)
  }
}
