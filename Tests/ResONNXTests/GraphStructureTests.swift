import Foundation
import ResIR
import Testing

@testable import ResONNX

/// Inputs, initializers, Constant nodes, ordering and naming.
@Suite struct GraphStructureTests {
  @Test(arguments: [3, 8])
  func initializerListedAsGraphInputIsAConstant(irVersion: Int) throws {
    var model = TestModel(opset: 9, irVersion: irVersion)
    model.input("x", .float, [1, 4])
    model.input("w", .float, [1, 4])
    model.initializer(Tensors.floats("w", dims: [1, 4], [1, 2, 3, 4]))
    model.node("Add", ["x", "w"], ["y"])
    model.output("y")
    let imported = try model.imported()
    #expect(imported.graph.inputs.map { imported.graph[$0].name } == ["x"])
    #expect(try imported.constant("w").doubles() == [1, 2, 3, 4])
    let add = try imported.node("add0")
    #expect(imported.graph.constant(try #require(add.inputs[1])) != nil)
  }

  @Test func graphInputTypesComeFromValueInfo() throws {
    var model = TestModel()
    model.input("x", .float16, [1, "batch", nil, 7])
    model.node("Relu", ["x"], ["y"])
    model.output("y")
    let imported = try model.imported()
    let input = try #require(imported.graph.inputs.first)
    #expect(imported.graph.type(of: input) == TensorType(.float16, [.known(1), .symbol("batch"), .unknown, .known(7)]))
  }

  @Test func graphInputWithoutShapeOrOfUnsupportedTypeIsAnError() throws {
    var unshaped = TestModel()
    var info = Onnx_ValueInfoProto()
    info.name = "x"
    info.type.tensorType.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
    unshaped.proto.graph.input = [info]
    unshaped.output("x")
    #expect(unshaped.importError()?.message == "graph input 'x' has no shape; its rank must be declared")

    var strings = TestModel()
    strings.input("s", .string, [2])
    strings.output("s")
    #expect(strings.importError()?.message.hasPrefix("graph input 's': element type string is not supported") == true)
  }

  // MARK: - Constant nodes

  @Test func constantNodeFormsBecomeConstants() throws {
    var model = TestModel(opset: 13)
    model.node("Constant", [], ["t"], [Attr.tensor("value", Tensors.floats("", dims: [2], [5, 6]))])
    model.node("Constant", [], ["f"], [Attr.float("value_float", 2.5)])
    model.node("Constant", [], ["fs"], [Attr.floats("value_floats", [1, 2, 3])])
    model.node("Constant", [], ["i"], [Attr.int("value_int", -7)])
    model.node("Constant", [], ["is"], [Attr.ints("value_ints", [4, 5])])
    for name in ["t", "f", "fs", "i", "is"] { model.output(name) }
    let imported = try model.imported()
    #expect(imported.graph.nodes.isEmpty)
    #expect(try imported.constant("t").doubles() == [5, 6])
    #expect(try imported.constant("f").type == TensorType(.float32, dims: []))
    #expect(try imported.constant("f").scalar == 2.5)
    #expect(try imported.constant("fs").type == TensorType(.float32, dims: [3]))
    #expect(try imported.constant("i").type == TensorType(.int64, dims: []))
    #expect(try imported.constant("i").integers() == [-7])
    #expect(try imported.constant("is").integers() == [4, 5])
  }

  @Test(arguments: [
    ("value_string", "string constants (value_string) are not supported"),
    ("value_strings", "string constants (value_strings) are not supported"),
    ("sparse_value", "sparse constants (sparse_value) are not supported"),
  ])
  func unsupportedConstantFormsAreErrors(attribute: String, message: String) throws {
    var model = TestModel(opset: 13)
    var value = Onnx_AttributeProto()
    value.name = attribute
    switch attribute {
    case "value_string":
      value.type = .string
      value.s = Data("hi".utf8)
    case "value_strings":
      value.type = .strings
      value.strings = [Data("hi".utf8)]
    default:
      value.type = .sparseTensor
      value.sparseTensor.dims = [2]
    }
    model.node("Constant", [], ["c"], name: "k", [value])
    model.output("c")
    let error = try #require(model.importError())
    #expect(error == ModelError(node: "k", opType: "Constant", message))
  }

  @Test func constantNodeNeedsExactlyOneValue() throws {
    var none = TestModel()
    none.node("Constant", [], ["c"], name: "k")
    none.output("c")
    #expect(none.importError()?.message == "has no value attribute")

    var two = TestModel()
    two.node("Constant", [], ["c"], name: "k", [Attr.float("value_float", 1), Attr.int("value_int", 1)])
    two.output("c")
    #expect(two.importError()?.message.contains("exactly one is allowed") == true)
  }

  // MARK: - Ordering and references

  @Test func unsortedNodesAreSortedClosestToFileOrder() throws {
    var model = TestModel()
    model.input("x", .float, [4])
    model.node("Relu", ["b"], ["c"], name: "third")
    model.node("Sigmoid", ["x"], ["a"], name: "first")
    model.node("Tanh", ["a"], ["b"], name: "second")
    model.node("Sqrt", ["x"], ["d"], name: "independent")
    model.output("c")
    model.output("d")
    let imported = try model.imported()
    #expect(imported.graph.nodes.map(\.name) == ["first", "second", "third", "independent"])
  }

  @Test func sortedGraphKeepsItsOrder() throws {
    var model = TestModel()
    model.input("x", .float, [4])
    model.node("Sigmoid", ["x"], ["a"], name: "n0")
    model.node("Sqrt", ["x"], ["d"], name: "n1")
    model.node("Tanh", ["a"], ["b"], name: "n2")
    model.node("Add", ["b", "d"], ["c"], name: "n3")
    model.output("c")
    #expect(try model.imported().graph.nodes.map(\.name) == ["n0", "n1", "n2", "n3"])
  }

  @Test func longChainImportsWithoutRecursion() throws {
    var model = TestModel()
    model.input("x", .float, [2])
    let length = 10_000
    // Written in reverse so that sorting has to do all the work.
    model.proto.graph.node = (0..<length).reversed().map { index in
      var node = Onnx_NodeProto()
      node.opType = "Relu"
      node.name = "r\(index)"
      node.input = [index == 0 ? "x" : "t\(index - 1)"]
      node.output = ["t\(index)"]
      return node
    }
    model.output("t\(length - 1)")
    let imported = try model.imported()
    #expect(imported.graph.nodes.count == length)
    #expect(imported.graph.nodes.first?.name == "r0")
    #expect(imported.graph.nodes.last?.name == "r\(length - 1)")
  }

  @Test func undefinedTensorNamesTheNodeAndTheTensor() throws {
    var model = TestModel()
    model.input("x", .float, [4])
    model.node("Add", ["x", "ghost"], ["y"], name: "adder")
    model.output("y")
    let error = try #require(model.importError())
    #expect(
      error
        == ModelError(
          node: "adder", opType: "Add",
          "input 'ghost' is not produced by any node and is not a graph input or initializer"
        ))
  }

  @Test func cycleIsAnErrorNamingANodeOnIt() throws {
    var model = TestModel()
    model.input("x", .float, [4])
    model.node("Relu", ["x"], ["a"], name: "before")
    model.node("Add", ["a", "c"], ["b"], name: "loop1")
    model.node("Tanh", ["b"], ["c"], name: "loop2")
    model.node("Sigmoid", ["c"], ["d"], name: "after")
    model.output("d")
    let error = try #require(model.importError())
    #expect(error.message == "is part of a cycle in the graph")
    #expect(["loop1", "loop2"].contains(error.node ?? ""))
  }

  @Test func tensorProducedTwiceIsAnError() throws {
    var model = TestModel()
    model.input("x", .float, [4])
    model.node("Relu", ["x"], ["y"], name: "one")
    model.node("Tanh", ["x"], ["y"], name: "two")
    model.output("y")
    #expect(model.importError() == ModelError(node: "two", opType: "Tanh", "output 'y' is also produced by node 'one'"))
  }

  @Test func undefinedGraphOutputIsAnError() throws {
    var model = TestModel()
    model.input("x", .float, [4])
    model.output("nowhere")
    #expect(model.importError()?.message == "graph output 'nowhere' is not defined")
  }

  @Test func aGraphWithoutOutputsIsAnError() throws {
    var model = TestModel()
    model.input("x", .float, [4])
    model.node("Relu", ["x"], ["y"], name: "unused")
    #expect(model.importError()?.message == "the graph has no outputs: there is nothing to compute")
  }

  // MARK: - Names

  @Test func unnamedNodesGetUniqueGeneratedNames() throws {
    var model = TestModel()
    model.input("x", .float, [4])
    model.node("Relu", ["x"], ["a"], name: "")
    model.node("Relu", ["a"], ["b"], name: "Relu_1")
    model.node("Relu", ["b"], ["c"], name: "")
    model.output("c")
    #expect(try model.imported().graph.nodes.map(\.name) == ["Relu_0", "Relu_1", "Relu_2"])

    var clash = TestModel()
    clash.input("x", .float, [4])
    clash.node("Relu", ["x"], ["a"], name: "")
    clash.node("Relu", ["a"], ["b"], name: "Relu_0")
    clash.output("b")
    #expect(try clash.imported().graph.nodes.map(\.name) == ["Relu_0_1", "Relu_0"])
  }

  @Test func valuesKeepTheirONNXNamesAndUnnamedResultsAvoidThem() throws {
    var model = TestModel(opset: 13)
    model.input("x", .float, [4])
    // The Dropout's mask is unnamed; the name the importer would pick first is taken by a later tensor.
    model.node("Dropout", ["x"], ["y"], name: "drop")
    model.node("Relu", ["y"], ["drop_output1"], name: "relu")
    model.output("drop_output1")
    let graph = try model.imported().graph
    let names = graph.values.map(\.name)
    #expect(names.contains("y"))
    #expect(names.contains("drop_output1"))
    #expect(names.contains("drop_output1_1"))
    #expect(Set(names).count == names.count)
  }

  // MARK: - Input bindings

  @Test func boundInputBecomesAConstant() throws {
    var model = TestModel(opset: 13)
    model.input("x", .float, [2, 3])
    model.input("axes", .int64, [1])
    model.node("Unsqueeze", ["x", "axes"], ["y"], name: "u")
    model.output("y")
    #expect(model.importError()?.message == "operand 'axes' of Unsqueeze must be a constant")
    let imported = try model.imported(bindings: ["axes": Constant(int64s: [-1], dims: [1])])
    #expect(imported.graph.inputs.count == 1)
    #expect(try imported.node("u").op == .unsqueeze(axes: [2]))
  }

  @Test func bindingsMustNameAnInputAndFitIt() throws {
    var model = TestModel()
    model.input("x", .float, [2])
    model.output("x")
    #expect(
      model.importError(bindings: ["y": Constant(floats: [1, 2], dims: [2])])?.message
        == "input binding 'y' names no graph input")
    #expect(
      model.importError(bindings: ["x": Constant(floats: [1, 2, 3], dims: [3])])?.message
        == "input binding 'x' has type f32[3], but the input is declared f32[2]")
  }

  @Test func shapeOperandInputsListsInputsFeedingConstantOperands() throws {
    var model = TestModel(opset: 18)
    model.input("x", .float, [2, 3])
    model.input("shape", .int64, [2])
    model.input("pads", .int64, [4])
    model.input("scale", .float, [1])
    model.input("target", .int64, [2])
    model.input("axes", .int64, [1])
    model.node("Reshape", ["x", "shape"], ["r"])
    model.node("Identity", ["pads"], ["pads_copy"])
    model.node("Pad", ["r", "pads_copy"], ["p"])
    model.node("Mul", ["p", "scale"], ["m"])
    // Slice ends computed from another input and from Shape(m): `target` counts, `m`'s values do not.
    model.node("Shape", ["m"], ["m_shape"])
    model.node("Sub", ["target", "m_shape"], ["ends"])
    model.initializer(Tensors.int64s("starts", [0, 0]))
    model.node("Slice", ["m", "starts", "ends"], ["s"])
    model.node("ReduceMean", ["s", "axes"], ["y"])
    model.output("y")
    let folder = try TemporaryFolder()
    let path = try folder.write(model.bytes, to: "model.onnx")
    #expect(try ONNXImporter.shapeOperandInputs(at: path) == ["shape", "pads", "target", "axes"])
  }
}
