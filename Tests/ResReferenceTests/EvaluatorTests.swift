import ResIR
import ResReference
import Testing

/// The evaluator as a whole: inputs and types checked, errors naming nodes, freeing after the last read,
/// deep graphs without recursion, and a whole CIFAR ResNet.
@Suite struct EvaluatorTests {
  private static let chain = """
    graph "chain" {
      input %x: f32[N,3]
      input %w: f32[N,3]
      %a = Relu "a" (%x) : f32[N,3]
      %b = Add "b" (%a, %w) : f32[N,3]
      %c = Mul "c" (%b, %a) : f32[N,3]
      %d = Sub "d" (%c, %c) : f32[N,3]
      return %b, %d, %x
    }
    """

  /// Values read by several nodes, twice by one node, and graph outputs read again later all survive until
  /// their last read: `evaluate` (which frees) agrees with `evaluateAll` (which keeps everything).
  @Test func freeingAfterLastReadKeepsResultsIntact() throws {
    let graph = try TextFormat.parse(Self.chain)
    let inputs = ["x": f32([2, 3], [-1, 2, -3, 4, -5, 6]), "w": ramp([2, 3])]
    let outputs = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    let all = try ReferenceEvaluator.evaluateAll(graph, inputs: inputs)
    #expect(outputs == graph.outputs.map { all[$0] })
    #expect(outputs[0] == f32([2, 3], [0, 3, 2, 7, 4, 11]))
    #expect(outputs[1] == f32([2, 3], [0, 0, 0, 0, 0, 0]))
    #expect(outputs[2] == inputs["x"])
    // Inputs and the four node results; no constants.
    #expect(all.count == 6)
  }

  @Test func missingAndUnknownInputs() throws {
    let graph = try TextFormat.parse(Self.chain)
    #expect(throws: ModelError("input 'w' is missing")) {
      try ReferenceEvaluator.evaluate(graph, inputs: ["x": ramp([2, 3])])
    }
    #expect(throws: ModelError("'y' is not an input of the graph (its inputs: x, w)")) {
      try ReferenceEvaluator.evaluate(graph, inputs: ["x": ramp([2, 3]), "w": ramp([2, 3]), "y": ramp([1])])
    }
  }

  /// The first tensor to reach a symbol binds it; a later disagreement names both.
  @Test func symbolicDimensionsMustAgree() throws {
    let graph = try TextFormat.parse(Self.chain)
    #expect(throws: ModelError("input 'w' is f32[3,3], but its type is f32[N,3], and N = 2 (from input 'x')")) {
      try ReferenceEvaluator.evaluate(graph, inputs: ["x": ramp([2, 3]), "w": ramp([3, 3])])
    }
  }

  @Test func inputTypesAreChecked() throws {
    let graph = try TextFormat.parse(Self.chain)
    #expect(throws: ModelError("input 'x' is i64[2,3], but its type is f32[N,3]")) {
      try ReferenceEvaluator.evaluate(
        graph, inputs: ["x": tensor(.int64, [2, 3], [1, 2, 3, 4, 5, 6]), "w": ramp([2, 3])])
    }
    var malformed = ramp([2, 3])
    malformed.shape = [2, 4]
    #expect(throws: ModelError("input 'x' holds 6 values for shape [2,4]")) {
      try ReferenceEvaluator.evaluate(graph, inputs: ["x": malformed, "w": ramp([2, 3])])
    }
    var outOfRange = tensor(.int8, [1], [0])
    outOfRange.storage = .integral([300])
    let bytes = try TextFormat.parse(
      """
      graph "bytes" {
        input %b: i8[1]
        return %b
      }
      """)
    #expect(throws: ModelError("input 'b' holds 300, which i8 cannot represent")) {
      try ReferenceEvaluator.evaluate(bytes, inputs: ["b": outOfRange])
    }
  }

  /// A result that disagrees with its static type (here, a wrong inferred shape and a wrong dtype) is an
  /// error naming the node: it is how an inference or verifier bug shows up.
  @Test func resultsAreCheckedAgainstTheirTypes() throws {
    try expectFailure(
      """
      graph "wrong" {
        input %x: f32[2,3]
        %y = Relu "relu1" (%x) : f32[2,4]
        return %y
      }
      """, ["x": ramp([2, 3])], node: "relu1", opType: "Relu",
      mentioning: "result 'y' is f32[2,3], but its type is f32[2,4]")
    try expectFailure(
      """
      graph "wrong" {
        input %x: f32[2,3]
        %y = Equal "eq" (%x, %x) : f32[2,3]
        return %y
      }
      """, ["x": ramp([2, 3])], node: "eq", opType: "Equal",
      mentioning: "result 'y' is bool[2,3], but its type is f32[2,3]")
  }

  @Test func unknownDimensionsAcceptAnySize() throws {
    let y = try Reference.run(
      """
      graph "unknown" {
        input %x: f32[?,3]
        %y = Relu "r" (%x) : f32[?,?]
        return %y
      }
      """, ["x": ramp([5, 3])])
    #expect(y.first?.shape == [5, 3])
  }

  @Test func readingAValueBeforeItIsComputedIsAnError() throws {
    var graph = Graph(name: "order")
    let x = graph.addInput(name: "x", type: TensorType(.float32, dims: [2]))
    let late = graph.makeNode(
      name: "late", op: .unary(.relu), inputs: [x], results: [("late", TensorType(.float32, dims: [2]))])
    graph.appendNode(
      name: "early", op: .unary(.tanh), inputs: [late.outputs[0]], results: [("early", TensorType(.float32, dims: [2]))]
    )
    graph.nodes.append(late)
    graph.outputs = [graph.nodes[0].outputs[0]]
    #expect(
      throws: ModelError(node: "early", opType: "Tanh", "operand 'late' (slot 0) is read before any node computes it")
    ) {
      try ReferenceEvaluator.evaluate(graph, inputs: ["x": ramp([2])])
    }
  }

  @Test func constantsAndInputsCanBeOutputs() throws {
    let outputs = try Reference.run(
      """
      graph "passthrough" {
        input %x: i32[2]
        const @k: f32[2] = [0.5, 1.5]
        return @k, %x
      }
      """, ["x": tensor(.int32, [2], [1, 2])])
    #expect(outputs == [f32([2], [0.5, 1.5]), tensor(.int32, [2], [1, 2])])
  }

  /// Evaluation is a loop over the nodes: a 10,000-node chain does not recurse.
  @Test func longChainDoesNotRecurse() throws {
    var graph = Graph(name: "chain")
    var value = graph.addInput(name: "x", type: TensorType(.float32, dims: [4]))
    for i in 0..<10_000 {
      graph.appendNode(
        name: "n\(i)", op: .unary(.relu), inputs: [value], results: [("v\(i)", TensorType(.float32, dims: [4]))])
      value = graph.nodes[i].outputs[0]
    }
    graph.outputs = [value]
    let y = try ReferenceEvaluator.evaluate(graph, inputs: ["x": f32([4], [-1, 0, 1, 2])])
    #expect(y == [f32([4], [0, 0, 1, 2])])
  }

  /// A whole CIFAR ResNet-20: every output finite, the freeing and non-freeing runs identical, and a second
  /// batch entry computed independently of the first.
  @Test func cifarResNetRuns() throws {
    let graph = ResNetSample.cifarResNet20(batch: 2)
    let image = pattern([2, 3, 32, 32], step: 0.2, multiplier: 13, modulus: 17)
    let outputs = try ReferenceEvaluator.evaluate(graph, inputs: ["image": image])
    let logits = try #require(outputs.first)
    #expect(logits.shape == [2, 10])
    #expect(logits.doubles.allSatisfy { $0.isFinite })
    #expect(Set(logits.doubles).count > 5)
    let all = try ReferenceEvaluator.evaluateAll(graph, inputs: ["image": image])
    #expect(all[graph.outputs[0]] == logits)
  }
}
