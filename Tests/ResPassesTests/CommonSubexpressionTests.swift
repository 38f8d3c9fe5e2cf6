import ResIR
import ResPasses
import ResTestSupport
import Testing

/// `eliminate-common-subexpressions` and `merge-identical-constants` beyond the golden cases: long chains in
/// linear time, what `--explain` records, multi-result nodes, and determinism.
@Suite struct CommonSubexpressionTests {
  /// Two identical chains of 5,000 nodes each (10,000 in all) merge into one in a single sweep; hashing keeps
  /// it linear (a pairwise comparison would make 25 million key comparisons).
  @Test func twoLongIdenticalChainsMergeInOneSweep() throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,4]")
    var left = x
    var right = x
    for index in 0..<5_000 {
      left = try b.value(.unary(.relu), [left], name: "left\(index)")
      right = try b.value(.unary(.relu), [right], name: "right\(index)")
    }
    b.graph.outputs = [try b.value(.binary(.sub), [left, right], name: "difference")]
    let clock = ContinuousClock()
    var graph = b.graph
    var context = PassContext()
    let elapsed = try clock.measure {
      try EliminateCommonSubexpressions().run(on: &graph, context: &context)
    }
    try Verifier.verify(graph)
    #expect(graph.nodes.count == 5_001)
    #expect(graph.nodes.allSatisfy { !$0.name.hasPrefix("right") })
    #expect(context.applied["eliminate-common-subexpressions"] == 5_000)
    #expect(elapsed < .seconds(30), "10,000 nodes took \(elapsed)")
  }

  /// Each merge and each decline is recorded with the node it concerns, for `--stats` and `--explain`.
  @Test func decisionsNameBothNodes() throws {
    let b = GraphBuilder()
    let x = b.input("f32[1,4]")
    let a = try b.value(.unary(.sigmoid), [x], name: "first")
    let c = try b.value(.unary(.sigmoid), [x], name: "second")
    let d = try b.value(.unary(.sigmoid), [x], name: "third")
    b.graph.outputs = [a, try b.value(.binary(.add), [c, d], name: "add")]
    var graph = b.graph
    var context = PassContext()
    try EliminateCommonSubexpressions().run(on: &graph, context: &context)
    try Verifier.verify(graph)
    let lines = context.decisions.map { "\($0.outcome.rawValue) \($0.node): \($0.detail)" }
    #expect(
      lines == [
        "applied second: computes the same as 'first': merged into it",
        "applied third: computes the same as 'first': merged into it",
      ])
    #expect(graph.nodes.map(\.name) == ["first", "add"])
  }

  /// A Split merged into an earlier identical Split hands over every result; a later one whose result is a
  /// graph output makes the earlier one produce that output under its name.
  @Test func multiResultNodesMergeWholly() throws {
    let b = GraphBuilder()
    let x = b.input("f32[4,6]")
    let first = try b.node(.split(axis: 1, sizes: [2, 4]), [x], name: "split_first")
    let second = try b.node(.split(axis: 1, sizes: [2, 4]), [x], name: "split_second")
    let narrow = try b.value(.binary(.add), [first[0], second[0]], name: "add_narrow")
    b.graph.outputs = [narrow, second[1]]
    var graph = b.graph
    var context = PassContext()
    try EliminateCommonSubexpressions().run(on: &graph, context: &context)
    try Verifier.verify(graph)
    #expect(graph.nodes.map(\.name) == ["split_first", "add_narrow"])
    #expect(graph.nodes[0].outputs == second)
    #expect(graph.nodes[1].inputs == [second[0], second[0]])
    #expect(graph.outputs == [narrow, second[1]])
  }

  /// The same graph always gives the same result, and constant merging keeps the first copy.
  @Test func mergingIsDeterministic() throws {
    func make() throws -> Graph {
      let b = GraphBuilder()
      let x = b.input("f32[3]")
      var terms: [ValueID] = []
      for index in 0..<6 {
        let copy = b.constant("f32[3]", [1, 2, Double(index % 2)], name: "c\(index)")
        terms.append(try b.value(.binary(.mul), [x, copy], name: "mul\(index)"))
      }
      b.graph.outputs = [try b.value(.variadic(.sum), terms, name: "sum")]
      return b.graph
    }
    let stage = PassSequence(name: "stage", passes: [MergeIdenticalConstants(), EliminateCommonSubexpressions()])
    var printed: [String] = []
    for _ in 0..<2 {
      var graph = try make()
      var context = PassContext()
      try PassManager(passes: [stage]).run(&graph, context: &context)
      printed.append(TextFormat.print(graph))
      #expect(graph.nodes.map(\.name) == ["mul0", "mul1", "sum"])
      #expect(context.applied["merge-identical-constants"] == 4)
    }
    #expect(printed[0] == printed[1])
    #expect(printed[0].contains("@c0") && printed[0].contains("@c1") && !printed[0].contains("@c2"))
  }
}
