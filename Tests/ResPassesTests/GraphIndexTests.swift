import ResIR
@testable import ResPasses
import ResTestSupport
import Testing

/// The pattern passes' index follows a rewrite's recorded edits instead of being rebuilt: after any sequence of
/// the graph's editing methods it must say what a fresh index says (positions, producers, uses in order,
/// topological order), and the views built on it must answer as views of the new graph do.
@Suite struct GraphIndexTests {
  /// Random batches of every editing method on a small graph, each batch followed by the index and compared
  /// with a fresh one and, through views, query by query.
  @Test(arguments: [UInt64(1), 2, 3, 4])
  func followsEveryEditingMethod(seed: UInt64) throws {
    var random = SeededGenerator(seed: seed)
    var graph = try Self.chain(length: 12)
    var index = GraphIndex(graph)
    graph.startRecordingEdits()
    for _ in 0..<100 {
      for _ in 0..<Int.random(in: 1...3, using: &random) { Self.randomEdit(&graph, &random) }
      index.apply(graph.takeEdits(), to: graph)
      let fresh = GraphIndex(graph)
      #expect(index.agrees(with: fresh, in: graph))
      Self.expectSameAnswers(GraphView(graph, index: index), GraphView(graph), graph)
    }
  }

  /// The check debug builds run after every rewrite notices an edit made around the editing methods.
  @Test func noticesAWriteAroundTheEditingMethods() throws {
    var graph = try Self.chain(length: 4)
    let index = GraphIndex(graph)
    graph.startRecordingEdits()
    graph.nodes[2].inputs = [graph.inputs[0]]
    #expect(graph.takeEdits().isEmpty)
    #expect(!index.agrees(with: GraphIndex(graph), in: graph))
  }

  /// A node inserted before the producer of its operand breaks topological order (so `depends` must look at
  /// every node); removing it restores the order.
  @Test func tracksTopologicalOrder() throws {
    var graph = try Self.chain(length: 4)
    var index = GraphIndex(graph)
    #expect(index.isTopologicallyOrdered)
    graph.startRecordingEdits()
    let late = graph.nodes[3].outputs[0]
    let early = graph.makeNode(name: "early", op: .unary(.relu), inputs: [late], results: [("early", Self.type)])
    graph.insert(early, before: graph.nodes[0].id)
    index.apply(graph.takeEdits(), to: graph)
    #expect(!index.isTopologicallyOrdered)
    #expect(index.position(of: early.id) == 0 && index.producerPosition(of: late) == 4)
    graph.removeNodes([early.id])
    index.apply(graph.takeEdits(), to: graph)
    #expect(index.isTopologicallyOrdered && index.position(of: early.id) == nil)
  }

  /// Fusing a node into a later one (the epilogue fusions' edit) moves the fused node and its result's producer.
  @Test func followsAFusion() throws {
    var graph = try Self.chain(length: 5)
    var index = GraphIndex(graph)
    graph.startRecordingEdits()
    let (producer, last) = (graph.nodes[1], graph.nodes[2])
    graph.fuse(producer.id, into: last.id) { $0.outputs = last.outputs }
    index.apply(graph.takeEdits(), to: graph)
    #expect(index.agrees(with: GraphIndex(graph), in: graph))
    #expect(index.position(of: producer.id) == 1 && index.position(of: last.id) == nil)
    #expect(index.producerPosition(of: last.outputs[0]) == 1 && index.producerPosition(of: producer.outputs[0]) == nil)
    #expect(index.uses(of: producer.inputs[0]!) == [.operand(node: producer.id, slot: 0)])
  }

  // MARK: - Helpers

  private static let type = TensorType.spelled("f32[4]")

  /// `x → relu → relu → ...`, the last result the graph's output, and a constant the edits may read.
  private static func chain(length: Int) throws -> Graph {
    let b = GraphBuilder()
    var value = b.input("f32[4]")
    _ = b.constant("f32[4]", [1, 2, 3, 4])
    for index in 0..<length { value = try b.value(.unary(.relu), [value], name: "r\(index)") }
    b.graph.outputs = [value]
    return b.graph
  }

  /// One call of an editing method, chosen at random; the graph need not stay topologically ordered.
  private static func randomEdit(_ graph: inout Graph, _ random: inout SeededGenerator) {
    let values = (0..<graph.values.count).map(ValueID.init)
    func anyValue() -> ValueID { values.randomElement(using: &random)! }
    func anyNode() -> Node? { graph.nodes.randomElement(using: &random) }
    switch Int.random(in: 0..<7, using: &random) {
    case 0, 1:
      let node = graph.makeNode(
        name: "n", op: .binary(.add), inputs: [anyValue(), anyValue()], results: [("n", type)])
      graph.insert(node, before: Bool.random(using: &random) ? anyNode()?.id : nil)
    case 2:
      let doomed = (0..<Int.random(in: 1...12, using: &random)).compactMap { _ in anyNode()?.id }
      graph.removeNodes(Set(doomed))
    case 3:
      guard let node = anyNode() else { return }
      let input = anyValue()
      graph.updateNode(node.id) { $0.inputs[Int.random(in: 0..<$0.inputs.count, using: &random)] = input }
    case 4:
      graph.replaceAllUses(of: anyValue(), with: anyValue())
    case 5:
      guard let node = anyNode() else { return }
      var replacement = graph.makeNode(name: "m", op: .unary(.relu), inputs: [anyValue()], results: [])
      replacement.outputs = node.outputs
      graph.replaceNode(node.id, with: replacement)
    default:
      guard let producer = anyNode(), let last = anyNode(), producer.id != last.id else { return }
      graph.fuse(producer.id, into: last.id) { $0.outputs = last.outputs }
    }
  }

  private static func expectSameAnswers(_ followed: GraphView, _ fresh: GraphView, _ graph: Graph) {
    for value in (0..<graph.values.count).map(ValueID.init) {
      #expect(followed.producer(of: value)?.id == fresh.producer(of: value)?.id)
      #expect(followed.consumers(of: value).map(\.id) == fresh.consumers(of: value).map(\.id))
      #expect(followed.useCount(of: value) == fresh.useCount(of: value))
      #expect(followed.isGraphOutput(value) == fresh.isGraphOutput(value))
      for node in graph.nodes.prefix(4) {
        #expect(followed.depends(value, on: node.id) == fresh.depends(value, on: node.id))
      }
    }
    for node in graph.nodes { #expect(followed.position(of: node.id) == fresh.position(of: node.id)) }
  }
}
