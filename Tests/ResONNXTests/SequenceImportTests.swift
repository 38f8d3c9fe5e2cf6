import ResIR
import Testing

@testable import ResONNX

/// Sequences live only in the importer (`TensorSequence`): a Loop may carry one, the sequence operators
/// rearrange its elements, and what reads it becomes tensor ops. The numbers are checked against onnxruntime
/// by the fixtures `scripted_loop` (PyTorch's scripted list append) and `sequence_operators_opset17`.
struct SequenceImportTests {
  static func scalar(_ name: String, _ value: Int) -> Onnx_TensorProto {
    Tensors.int64s(name, dims: [], [value])
  }

  /// x: f32[1,4]; a Loop of 3 iterations appends `h + h` to a sequence carried from SequenceEmpty; the
  /// sequence is stacked on a new axis 1.
  static func appendingLoop() -> TestModel {
    let body = Attr.graph(
      "body",
      [Nodes.make("Add", ["h", "h"], ["h_next"]), Nodes.make("SequenceInsert", ["states", "h_next"], ["grown"]),
       Nodes.make("Identity", ["cond_in"], ["cond_out"])],
      inputs: [TestModel.valueInfo("i", .int64, []), TestModel.valueInfo("cond_in", .bool, []),
               TestModel.valueInfo("h", .float, [1, 4]), Self.sequenceInfo("states")],
      outputs: ["cond_out", "h_next", "grown"])
    var model = TestModel()
    model.input("x", .float, [1, 4])
    model.initializer(Self.scalar("three", 3))
    model.node("SequenceEmpty", [], ["empty"], name: "empty")
    model.node("Loop", ["three", "", "x", "empty"], ["h_final", "all"], name: "loop", [body])
    model.node("ConcatFromSequence", ["all"], ["y"], name: "stack", [Attr.int("axis", 1), Attr.int("new_axis", 1)])
    model.output("y")
    return model
  }

  static func sequenceInfo(_ name: String) -> Onnx_ValueInfoProto {
    var info = Onnx_ValueInfoProto()
    info.name = name
    info.type.sequenceType.elemType.tensorType.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
    return info
  }

  @Test func loopCarriesASequenceThatIsStackedAfterIt() throws {
    let imported = try Self.appendingLoop().imported()
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.float32, dims: [1, 3, 4]))
    #expect(imported.graph.nodes.filter { $0.op == .unsqueeze(axes: [1]) }.count == 3)
    #expect(imported.graph.nodes.contains { $0.op == .concat(axis: 1) })
  }

  @Test func aSequenceWhereATensorBelongsIsRefused() throws {
    var model = Self.appendingLoop()
    model.node("Relu", ["all"], ["r"], name: "relu")
    let error = try #require(model.importError())
    #expect(error.node == "relu")
    #expect(error.message == "input 'all' is a sequence; only Loop, If, Identity and the sequence operators take one")
  }

  @Test func aSequenceGraphOutputIsRefusedBeforeAnythingIsRead() throws {
    var model = Self.appendingLoop()
    model.proto.graph.output = [Self.sequenceInfo("all")]
    #expect(
      model.importError()?.message
        == "graph output 'all' is not a tensor (sequences, maps and optionals are not supported)")
    model.proto.graph.output[0].type = Onnx_TypeProto()
    #expect(
      model.importError()?.message
        == "graph output 'all' is not a tensor (sequences, maps and optionals are not supported)")
  }

  static func sequenceModel(_ node: Onnx_NodeProto, initializers: [Onnx_TensorProto] = []) -> TestModel {
    var model = TestModel()
    model.input("x", .float, [1, 4])
    model.input("n", .int64, [1, 4])
    for tensor in initializers { model.initializer(tensor) }
    model.node("SequenceConstruct", ["x", "x"], ["pair"], name: "pair")
    model.proto.graph.node.append(node)
    model.output("y")
    return model
  }

  @Test func positionsOutsideTheSequenceAreRefused() throws {
    let at = Self.sequenceModel(Nodes.make("SequenceAt", ["pair", "p"], ["y"], name: "at"),
                                initializers: [Self.scalar("p", -3)])
    #expect(at.importError()?.message == "position -3 is out of range for a sequence of 2 element(s)")
    let insert = Self.sequenceModel(Nodes.make("SequenceInsert", ["pair", "x", "p"], ["s"], name: "insert"),
                                    initializers: [Self.scalar("p", 3)])
    #expect(insert.importError()?.message == "position 3 is out of range for a sequence of 2 element(s)")
  }

  @Test func elementsOfAnotherTypeAreRefused() throws {
    let insert = Self.sequenceModel(Nodes.make("SequenceInsert", ["pair", "n"], ["y"], name: "insert"))
    #expect(insert.importError()?.message == "the sequence holds float tensors; this one is int64")
    let construct = Self.sequenceModel(Nodes.make("SequenceConstruct", ["x", "n"], ["y"], name: "mixed"))
    #expect(construct.importError()?.message == "the sequence holds float tensors; this one is int64")
  }

  @Test func concatenatingAnEmptySequenceIsRefused() throws {
    var model = TestModel()
    model.input("x", .float, [1, 4])
    model.node("SequenceEmpty", [], ["empty"], name: "empty")
    model.node("ConcatFromSequence", ["empty"], ["y"], name: "join", [Attr.int("axis", 0)])
    model.output("y")
    #expect(model.importError()?.message == "the sequence is empty: there is nothing to concatenate")
  }

  /// Found by scripts/mutation-fuzz.py: an axis of 2⁴⁰ split into ones asked for 8 TB before anything failed.
  @Test func splittingAHugeAxisIntoOnesIsRefused() throws {
    var model = TestModel()
    model.input("x", .float, [1, TestModel.DimSpec.value(1 << 40)])
    model.node("SplitToSequence", ["x"], ["rows"], name: "split", [Attr.int("axis", 1), Attr.int("keepdims", 0)])
    model.node("SequenceLength", ["rows"], ["y"], name: "count")
    model.output("y")
    #expect(model.importError()?.message == "splits an axis of 1099511627776 into 1099511627776 pieces, more than 200000")
  }

  @Test func lengthIsAConstant() throws {
    let imported = try Self.sequenceModel(Nodes.make("SequenceLength", ["pair"], ["y"], name: "length")).imported()
    let output = imported.graph.outputs[0]
    #expect(imported.graph.type(of: output) == TensorType(.int64, dims: []))
  }
}
