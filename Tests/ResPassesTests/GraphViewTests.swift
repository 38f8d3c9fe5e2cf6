import ResIR
import ResPasses
import ResTestSupport
import Testing

/// The use list and the view's producer and node maps, which pattern passes rebuild after every rewrite
/// from flat arrays indexed by value and node ID: uses in node order then output order, repeated operands
/// counted twice, absent operands and removed nodes ignored.
@Suite struct GraphViewTests {
  @Test func usesComeInNodeOrderThenOutputOrder() throws {
    let b = GraphBuilder()
    let x = b.input("f32[4]")
    let y = b.input("f32[4]", name: "y")
    let sum = try b.value(.binary(.add), [x, x], name: "twice")
    let relu = try b.value(.unary(.relu), [sum], name: "relu")
    let product = try b.value(.binary(.mul), [sum, relu], name: "mul")
    b.graph.outputs = [product, sum]
    let graph = b.graph
    let uses = UseList(graph)
    let ids = graph.nodes.map(\.id)

    #expect(uses[x] == [.operand(node: ids[0], slot: 0), .operand(node: ids[0], slot: 1)])
    #expect(uses.count(of: x) == 2)
    #expect(uses[sum] == [.operand(node: ids[1], slot: 0), .operand(node: ids[2], slot: 0), .graphOutput(index: 1)])
    #expect(uses.isGraphOutput(sum) && uses.isGraphOutput(product) && !uses.isGraphOutput(relu))
    #expect(uses[y].isEmpty && uses.count(of: y) == 0)
    #expect(uses[ValueID(graph.values.count + 5)].isEmpty)
  }

  @Test func producersAndNodesFollowRemovals() throws {
    let b = GraphBuilder()
    let x = b.input("f32[4]")
    let k = b.constant("f32[4]", [1, 2, 3, 4])
    let first = try b.value(.binary(.add), [x, k], name: "first")
    let dead = try b.value(.unary(.relu), [x], name: "dead")
    let last = try b.value(.unary(.relu), [first], name: "last")
    b.graph.outputs = [last]
    var graph = b.graph
    let deadNode = graph.nodes[1].id
    graph.removeNodes([deadNode])
    let view = GraphView(graph)

    #expect(view.producer(of: first)?.name == "first")
    #expect(view.producer(of: last)?.name == "last")
    #expect(view.producer(of: x) == nil && view.producer(of: k) == nil && view.producer(of: nil) == nil)
    #expect(view.producer(of: dead) == nil)
    #expect(view.node(deadNode) == nil)
    #expect(view.node(graph.nodes[1].id)?.name == "last")
    #expect(view.node(NodeID(99)) == nil)
    #expect(view.consumers(of: first).map(\.name) == ["last"])
    #expect(view.consumers(of: x).map(\.name) == ["first"])
  }

  /// `depends` follows producers from a value back to a node through any path; in a topologically ordered
  /// graph it does not look before that node, and in one that is not (a pass between two rewrites) it looks
  /// everywhere, so the answer is the same.
  @Test func dependsFindsPathsInEitherOrder() throws {
    let b = GraphBuilder()
    let x = b.input("f32[4]")
    let early = try b.value(.unary(.relu), [x], name: "early")
    let carrier = try b.value(.unary(.sigmoid), [early], name: "carrier")
    let branch = try b.value(.unary(.relu), [carrier], name: "branch")
    let skip = try b.value(.binary(.add), [branch, early], name: "skip")
    b.graph.outputs = [skip]
    var graph = b.graph
    let (earlyNode, carrierNode) = (graph.nodes[0].id, graph.nodes[1].id)
    for _ in 0..<2 {
      let view = GraphView(graph)
      #expect(view.depends(skip, on: carrierNode) && view.depends(branch, on: carrierNode))
      #expect(view.depends(skip, on: earlyNode) && view.depends(carrier, on: earlyNode))
      #expect(!view.depends(early, on: carrierNode) && !view.depends(x, on: earlyNode))
      graph.nodes.reverse()
    }
  }

  /// Removing a few nodes keeps the others in order, as removing many does.
  @Test func removingNodesKeepsTheRestInOrder() throws {
    let b = GraphBuilder()
    var value = b.input("f32[4]")
    for index in 0..<20 { value = try b.value(.unary(.relu), [value], name: "r\(index)") }
    let ids = b.graph.nodes.map(\.id)
    for removed in [Set([ids[0], ids[7], ids[19]]), Set(ids.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))] {
      var graph = b.graph
      graph.removeNodes(removed)
      #expect(graph.nodes.map(\.id) == ids.filter { !removed.contains($0) })
    }
  }
}
