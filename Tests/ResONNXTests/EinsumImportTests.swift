import ResIR
import Testing

@testable import ResONNX

/// ONNX `Einsum` imported as the chain of Transpose, Reshape and MatMul nodes its equation needs: which nodes,
/// named after the Einsum, each typed, the last one producing the ONNX output; and the refusals, named after
/// the node. The numbers these chains compute are checked end to end in EndToEndTests' `EinsumExecutionTests`.
@Suite struct EinsumImportTests {
  /// `y = Einsum(equation, inputs…)` over float graph inputs `x0`, `x1`… of `shapes`.
  private static func model(
    _ equation: String, _ shapes: [[TestModel.DimSpec]], opset: Int = 17, output: [TestModel.DimSpec]? = nil
  ) -> TestModel {
    var model = TestModel(opset: opset)
    let names = shapes.indices.map { "x\($0)" }
    for (name, shape) in zip(names, shapes) { model.input(name, .float, shape) }
    model.node("Einsum", names, ["y"], name: "attn.einsum", [Attr.string("equation", equation)])
    model.output("y", .float, output)
    return model
  }

  private static func imported(_ equation: String, _ shapes: [[TestModel.DimSpec]]) throws -> Graph {
    let graph = try model(equation, shapes).imported().graph
    try Verifier.verify(graph)
    return graph
  }

  @Test(arguments: [
    ("B G H I D, B G H J D -> B G H I J", [[1, 2, 4, 49, 32], [1, 2, 4, 49, 32]], ["Transpose", "MatMul"],
     "f32[1,2,4,49,49]"),
    ("B G H I J, B G H J D -> B G H I D", [[1, 2, 4, 49, 49], [1, 2, 4, 49, 32]], ["MatMul"], "f32[1,2,4,49,32]"),
    ("bhqd,bhkd->bhqk", [["N", 4, 7, 8], ["N", 4, 5, 8]], ["Transpose", "MatMul"], "f32[N,4,7,5]"),
    ("bij,bjk->bik", [[2, 3, 4], [2, 4, 5]], ["MatMul"], "f32[2,3,5]"),
    ("...ij,...jk->...ik", [[2, 1, 3, 4], [5, 4, 6]], ["MatMul"], "f32[2,5,3,6]"),
    ("ij,jk", [[3, 4], [4, 5]], ["MatMul"], "f32[3,5]"),
    ("i,i->", [[5], [5]], ["MatMul"], "f32[]"),
    ("ij,j->i", [[3, 4], [4]], ["MatMul"], "f32[3]"),
    ("ij->ji", [[3, 4]], ["Transpose"], "f32[4,3]"),
    ("ij->ij", [[3, 4]], ["Identity"], "f32[3,4]"),
    ("abcd,cde->abe", [[2, 3, 4, 5], [4, 5, 6]], ["Reshape", "Reshape", "MatMul", "Reshape"], "f32[2,3,6]"),
    // A symbol grouped with other sizes (`N·3`) is no `Dim`: it comes back unknown, until a declared type says N.
    ("abcd,cde->abe", [["N", 3, 4, 5], [4, 5, 6]], ["Reshape", "Reshape", "MatMul", "Reshape"], "f32[?,3,6]"),
    ("ij,jk->ki", [[3, 4], [4, 5]], ["MatMul", "Transpose"], "f32[5,3]"),
  ] as [(String, [[TestModel.DimSpec]], [String], String)])
  func emitsTheStepsTheEquationNeeds(
    _ equation: String, _ shapes: [[TestModel.DimSpec]], _ kinds: [String], _ type: String
  ) throws {
    let graph = try Self.imported(equation, shapes)
    #expect(graph.nodes.map(\.op.onnxName) == kinds)
    #expect(graph.nodes.last?.name == "attn.einsum")
    let output = try #require(graph.outputs.first)
    #expect(graph[output].name == "y")
    #expect(graph.nodes.last?.outputs == [output])
    #expect(graph.type(of: output).description == type)
  }

  @Test func namesEveryStepAfterTheNode() throws {
    let graph = try Self.imported("abcd,cde->eab", [[2, 3, 4, 5], [4, 5, 6]])
    #expect(
      graph.nodes.map(\.name) == [
        "attn.einsum.reshape_a", "attn.einsum.reshape_b", "attn.einsum.matmul", "attn.einsum.reshape_output",
        "attn.einsum",
      ])
    #expect(graph.nodes.map(\.op.onnxName) == ["Reshape", "Reshape", "MatMul", "Reshape", "Transpose"])
    #expect(graph.nodes.last?.op == .transpose(perm: [2, 0, 1]))
    let shapeOperand = try #require(graph.nodes[0].input(1))
    #expect(graph[shapeOperand].name == "attn.einsum.reshape_a.shape")
    #expect(graph.constant(shapeOperand)?.integers() == [6, 20])
    #expect(graph.type(of: graph.nodes[3].outputs[0]).description == "f32[2,3,6]")
  }

  @Test func transposesTheRightOperandOfAttentionScores() throws {
    let graph = try Self.imported("bhqd,bhkd->bhqk", [[1, 4, 7, 8], [1, 4, 5, 8]])
    #expect(graph.nodes.map(\.name) == ["attn.einsum.transpose_b", "attn.einsum"])
    #expect(graph.nodes[0].op == .transpose(perm: [0, 1, 3, 2]))
    #expect(graph.nodes[0].input(0) == graph.inputs[1])
    #expect(graph.nodes[1].op == .matMul(.none))
    #expect(graph.nodes[1].inputs == [graph.inputs[0], graph.nodes[0].outputs[0]])
  }

  @Test func generatedNamesAvoidTheModelsNames() throws {
    var model = TestModel()
    model.input("attn.einsum.matmul", .float, [3, 4])
    model.input("x1", .float, [4, 5])
    model.node(
      "Einsum", ["attn.einsum.matmul", "x1"], ["y"], name: "attn.einsum", [Attr.string("equation", "ij,jk->ki")])
    model.output("y")
    let graph = try model.imported().graph
    try Verifier.verify(graph)
    #expect(graph.nodes.map(\.name) == ["attn.einsum.matmul_1", "attn.einsum"])
  }

  @Test func theDeclaredOutputTypeIsApplied() throws {
    let graph = try Self.model("bij,bjk->bik", [[nil, 3, 4], [nil, 4, 5]], output: ["B", 3, 5]).imported().graph
    #expect(graph.type(of: graph.outputs[0]).description == "f32[B,3,5]")
  }

  @Test(arguments: [
    ("ii->i", [[3, 3]], "a label repeated within one operand (a diagonal) is not supported: 'i' in operand 1"),
    ("ij->i", [[3, 4]], "a sum over a label of only one operand is not supported: 'j' of operand 1 is not in the "
      + "output"),
    ("ij,jk->ik", [[3, 4], [5, 6]], "label 'j' has size 4 in operand 1 but 5 in operand 2"),
    ("ij->ik", [[3, 4]], "output label 'k' appears in no operand"),
    ("ij,jk,kl->il", [[2, 2], [2, 2], [2, 2]], "3 operands are not supported (one operand is a transpose, two a "
      + "MatMul)"),
    ("ijk,jk", [[2, 2], [2, 2]], "operand 1 has rank 2, but its term 'ijk' has 3 labels"),
  ] as [(String, [[TestModel.DimSpec]], String)])
  func refusalsNameTheNode(_ equation: String, _ shapes: [[TestModel.DimSpec]], _ detail: String) {
    let expected = ModelError(node: "attn.einsum", opType: "Einsum", "Einsum '\(equation)': \(detail)")
    #expect(Self.model(equation, shapes).importError() == expected)
  }

  @Test func typeErrorsNameTheStepThatFails() {
    var model = TestModel()
    model.input("x0", .bool, [3, 4])
    model.input("x1", .bool, [4, 5])
    model.node("Einsum", ["x0", "x1"], ["y"], name: "attn.einsum", [Attr.string("equation", "ij,jk")])
    model.output("y")
    let error = model.importError()
    #expect(error?.node == "attn.einsum")
    #expect(error?.opType == "MatMul")
  }

  @Test func theEquationIsRequired() {
    var model = TestModel()
    model.input("x0", .float, [3, 4])
    model.node("Einsum", ["x0"], ["y"], name: "attn.einsum")
    model.output("y")
    #expect(model.importError()?.message == "required attribute 'equation' is missing")
  }

  @Test func einsumNeedsOpset12() {
    let error = Self.model("ij,jk", [[3, 4], [4, 5]], opset: 11).importError()
    #expect(error?.message == "unsupported operators: Einsum [opset 11; defined from opset 12] (node 'attn.einsum')")
  }
}
