import ResIR
import ResTestSupport
import Testing

@Suite struct VerifierTests {
  /// A ResNet basic block with a symbolic batch: conv-relu-conv with a residual epilogue, then a head.
  private func basicBlock() throws -> GraphBuilder {
    let b = GraphBuilder()
    let x = b.input("f32[N,64,56,56]")
    let w1 = b.filled("f32[64,64,3,3]", name: "w1")
    let w2 = b.filled("f32[64,64,3,3]", name: "w2")
    let bias = b.filled("f32[64]", name: "bias")
    let first = convAttributes(kernel: [3, 3], pads: [1, 1, 1, 1], epilogue: Epilogue(activation: .relu))
    let second = convAttributes(
      kernel: [3, 3], pads: [1, 1, 1, 1], epilogue: Epilogue(residual: true, activation: .relu))
    let h = try b.value(.conv(first), [x, w1, bias], name: "conv1")
    let y = try b.value(.conv(second), [h, w2, bias, x], name: "conv2")
    let pooled = try b.value(.globalAveragePool, [y], name: "pool")
    let flat = try b.value(.flatten(axis: 1), [pooled], name: "flatten")
    b.graph.outputs = [flat]
    return b
  }

  @Test func acceptsWellFormedGraph() throws {
    let b = try basicBlock()
    try Verifier.verify(b.graph)
    #expect(b.type(b.graph.outputs[0]) == "f32[N,64]")
  }

  @Test func acceptsRecordedTypesMoreSpecificThanInference() throws {
    let b = GraphBuilder()
    let x = b.input("f32[N,8,H,W]")
    let w = b.filled("f32[8,8,3,3]", name: "w")
    let y = try b.value(.conv(convAttributes(kernel: [3, 3], strides: [2, 2])), [x, w])
    #expect(b.type(y) == "f32[N,8,?,?]")
    // What the importer records after reconciling with a declared output type [1,8,7,S].
    b.graph.setType(TensorType.spelled("f32[1,8,7,S]"), of: y)
    try Verifier.verify(b.graph)
  }

  @Test func rejectsTypeThatContradictsInference() throws {
    let b = try basicBlock()
    let flat = b.graph.outputs[0]
    b.graph.setType(TensorType.spelled("f32[N,32]"), of: flat)
    let error = modelError { try Verifier.verify(b.graph) }
    #expect(error?.node == "flatten")
    #expect(error?.message == "result 'flatten.\(flat.index)' is recorded as f32[N,32] but inference gives f32[N,64]")
    b.graph.setType(TensorType.spelled("f32[?,64]"), of: flat)
    #expect(
      errorMessage { try Verifier.verify(b.graph) }
        == "result 'flatten.\(flat.index)' is recorded as f32[?,64] but inference gives f32[N,64]")
  }

  @Test func rejectsOperandUsedBeforeDefinition() throws {
    let b = try basicBlock()
    b.graph.nodes.swapAt(0, 1)
    let error = modelError { try Verifier.verify(b.graph) }
    #expect(error?.node == "conv2")
    #expect(error?.message == "operand 1 ('conv1.4') is used before node 'conv1' defines it")
  }

  @Test func rejectsUndefinedOperandAndOutput() throws {
    let b = try basicBlock()
    var unlisted = b.graph
    unlisted.inputs = []
    #expect(errorMessage { try Verifier.verify(unlisted) } == "operand 1 ('x') is not defined")
    var headless = b.graph
    headless.nodes.removeLast()
    #expect(errorMessage { try Verifier.verify(headless) } == "graph output 'flatten.7' is not defined")
    var dangling = b.graph
    dangling.outputs = [ValueID(500)]
    #expect(errorMessage { try Verifier.verify(dangling) } == "graph output v500 does not exist")
  }

  @Test func rejectsIDsOutOfRange() throws {
    let b = try basicBlock()
    var graph = b.graph
    graph.nodes[2].inputs = [ValueID(999)]
    #expect(errorMessage { try Verifier.verify(graph) } == "operand 1 refers to v999, which does not exist")
    graph = b.graph
    graph.nodes[2].outputs = [ValueID(-1)]
    #expect(errorMessage { try Verifier.verify(graph) } == "result 1 refers to v-1, which does not exist")
    graph = b.graph
    graph.inputs.append(ValueID(77))
    #expect(errorMessage { try Verifier.verify(graph) } == "graph input v77 does not exist")
  }

  @Test func rejectsRedefinitions() throws {
    let b = try basicBlock()
    let x = b.graph.inputs[0]
    var graph = b.graph
    graph.nodes[2].outputs = [x]
    #expect(errorMessage { try Verifier.verify(graph) } == "result 'x' redefines a graph input")
    graph = b.graph
    graph.nodes[2].outputs = [ValueID(1)]
    #expect(errorMessage { try Verifier.verify(graph) } == "result 'w1' redefines a constant")
    graph = b.graph
    graph.nodes[3].outputs = graph.nodes[2].outputs
    #expect(errorMessage { try Verifier.verify(graph) } == "result 'pool.6' is already produced by node 'pool'")
    graph = b.graph
    graph.nodes.append(graph.nodes[0])
    #expect(errorMessage { try Verifier.verify(graph) } == "node id n0 is used twice")
    graph = b.graph
    graph.inputs.append(x)
    #expect(errorMessage { try Verifier.verify(graph) } == "graph input 'x' is listed twice")
  }

  @Test func rejectsArityViolations() throws {
    let b = try basicBlock()
    var graph = b.graph
    graph.nodes[2].inputs.append(graph.inputs[0])
    #expect(errorMessage { try Verifier.verify(graph) } == "has 2 operands, at most 1 allowed")
    graph = b.graph
    graph.nodes[0].inputs[1] = nil
    #expect(errorMessage { try Verifier.verify(graph) } == "operand 2 is required but absent")
    graph = b.graph
    graph.nodes[0].inputs = [graph.inputs[0]]
    #expect(errorMessage { try Verifier.verify(graph) } == "has 1 operands, at least 2 required")
    graph = b.graph
    graph.nodes[1].inputs[3] = nil
    #expect(errorMessage { try Verifier.verify(graph) } == "epilogue adds a residual but operand 4 is absent")
    graph = b.graph
    graph.nodes[2].outputs = []
    #expect(errorMessage { try Verifier.verify(graph) } == "has 0 results, expected 1")
  }

  @Test func rejectsSplitSizesThatDoNotMatchResults() throws {
    let b = GraphBuilder()
    let x = b.input("f32[4,6]")
    try b.node(.split(axis: 1, sizes: [3, 3]), [x])
    b.graph.nodes[0].op = .split(axis: 1, sizes: [2, 2, 2])
    #expect(errorMessage { try Verifier.verify(b.graph) } == "has 2 results, expected 3")
  }

  @Test func rejectsVariadicWithAbsentOperand() throws {
    let b = GraphBuilder()
    let x = b.input("f32[4]")
    try b.node(.variadic(.sum), [x, x])
    b.graph.nodes[0].inputs[1] = nil
    #expect(errorMessage { try Verifier.verify(b.graph) } == "operand 2 is required but absent")
  }

  @Test func rejectsEpilogueShapeMismatch() throws {
    let b = try basicBlock()
    let broadcastResidual = b.input("f32[1,64,1,1]", name: "r")
    b.graph.nodes[1].inputs[3] = broadcastResidual
    let error = modelError { try Verifier.verify(b.graph) }
    #expect(error?.node == "conv2")
    #expect(error?.message == "residual f32[1,64,1,1] does not provably match the output f32[N,64,56,56]")
  }

  @Test func rejectsMalformedInputsAndConstants() throws {
    let b = try basicBlock()
    var graph = b.graph
    graph.setType(TensorType.spelled("f32[N,64,-1,56]"), of: graph.inputs[0])
    #expect(errorMessage { try Verifier.verify(graph) } == "graph input 'x' has negative dimension -1")
    graph = b.graph
    graph.setType(TensorType.spelled("f32[N,\(Int.max),2,1]"), of: graph.inputs[0])
    #expect(
      errorMessage { try Verifier.verify(graph) }
        == "graph input 'x' f32[N,\(Int.max),2,1] has more elements than fit in a 64-bit integer")
    graph = b.graph
    graph.setType(TensorType.spelled("f32[64,64,3,1]"), of: ValueID(1))
    #expect(
      errorMessage { try Verifier.verify(graph) } == "constant 'w1' is typed f32[64,64,3,1] but holds f32[64,64,3,3]")
    graph = b.graph
    let result = graph.nodes[0].outputs[0]
    graph.inputs.append(result)
    #expect(errorMessage { try Verifier.verify(graph) } == "graph input 'conv1.4' is not defined as a graph input")
  }

  @Test func inferNodeRejectsBadPositionAndStructure() throws {
    let b = try basicBlock()
    var graph = b.graph
    var inference = ShapeInference()
    #expect(
      errorMessage { try inference.inferNode(at: 4, in: &graph) }
        == "node position 4 is out of range (the graph has 4 nodes)")
    graph.nodes[0].inputs[2] = ValueID(12345)
    #expect(
      errorMessage { try inference.inferNode(at: 0, in: &graph) } == "operand 3 refers to v12345, which does not exist")
  }
}
