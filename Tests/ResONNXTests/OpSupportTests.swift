import ResIR
import Testing

@testable import ResONNX

/// Unsupported operators, domains and opsets.
@Suite struct OpSupportTests {
  @Test func everyUnsupportedOperatorIsListedInOneError() throws {
    var model = TestModel(opset: 17)
    var custom = Onnx_OperatorSetIdProto()
    custom.domain = "com.microsoft"
    custom.version = 1
    model.proto.opsetImport.append(custom)
    model.input("x", .float, [1, 4])
    model.node("Relu", ["x"], ["a"], name: "fine")
    model.node("NonZero", ["a"], ["b"], name: "nz2")
    var fused = model.node("FusedConv", ["a"], ["c"], name: "fused")
    fused.domain = "com.microsoft"
    model.proto.graph.node[2] = fused
    model.node("NonZero", ["c"], ["d"], name: "nz1")
    model.node("Gelu", ["d"], ["e"], name: "gelu")
    model.output("b")
    model.output("e")
    let error = try #require(model.importError())
    #expect(error.node == nil)
    #expect(
      error.message
        == "unsupported operators: Gelu [opset 17; defined from opset 20] (node 'gelu'); "
        + "NonZero [opset 17] (nodes 'nz2', 'nz1'); com.microsoft::FusedConv [opset 1] (node 'fused')")
  }

  /// Found by the fuzz test: a damaged length prefix made an attribute's bytes part of the op type, and the
  /// newline in them split the error over two lines. Names and op types from the file are untrusted.
  @Test func invisibleCharactersInNamesAndOpTypesStayOnOneLine() throws {
    var model = TestModel(opset: 17)
    model.input("x", .float, [1, 4])
    model.node("Gemm*\u{0F}\n\u{05}alph", ["x"], ["y"], name: "/head/Gemm")
    model.output("y")
    let unsupported = try #require(model.importError())
    #expect(unsupported.message == "unsupported operators: Gemm*\\u{f}\\u{a}\\u{5}alph [opset 17] (node '/head/Gemm')")

    var named = TestModel(opset: 17)
    named.input("x", .float, [1, 4])
    named.node("Transpose", ["x"], ["y"], name: "line\none\u{202E}", [Attr.ints("perm", [0, 0])])
    named.output("y")
    let invalid = try #require(named.importError())
    #expect(
      invalid.description == "node 'line\\u{a}one\\u{202e}' (Transpose): perm [0, 0] is not a permutation of the 2 axes"
    )
  }

  @Test func unknownDomainWithoutOpsetImportIsListed() throws {
    var model = TestModel()
    model.input("x", .float, [1])
    var node = model.node("Mystery", ["x"], ["y"], name: "m")
    node.domain = "org.example"
    model.proto.graph.node[0] = node
    model.output("y")
    #expect(
      model.importError()?.message
        == "unsupported operators: org.example::Mystery [no opset imported] (node 'm')")
  }

  @Test func aiOnnxDomainIsTheDefaultDomain() throws {
    var model = TestModel()
    model.input("x", .float, [1])
    var node = model.node("Relu", ["x"], ["y"], name: "r")
    node.domain = "ai.onnx"
    model.proto.graph.node[0] = node
    model.output("y")
    #expect(try model.imported().graph.nodes.first?.op == .unary(.relu))
  }

  /// Loop, Scan and If are unrolled or selected at import; SequenceMap is not, nor is a subgraph where none
  /// belongs.
  @Test func subgraphOutsideLoopScanAndIfIsUnsupported() throws {
    let body = Attr.graph("body", [])
    for opType in ["SequenceMap", "Relu"] {
      var model = TestModel()
      model.input("x", .float, [1])
      model.node(opType, ["x"], ["y"], name: "n", [body])
      model.output("y")
      #expect(model.importError()?.message == "unsupported operators: \(opType) [opset 17] (node 'n')")
    }
  }

  /// The nodes inside a subgraph are checked with the rest, named after the node that holds them.
  @Test func unsupportedOperatorInsideALoopBodyIsListed() throws {
    let body = Attr.graph("body", [Nodes.make("Mystery", [], [], name: "inner")])
    var model = TestModel()
    model.input("x", .float, [1])
    model.node("Loop", ["", "", "x"], ["y"], name: "loop", [body])
    model.output("y")
    #expect(model.importError()?.message == "unsupported operators: Mystery [opset 17] (node 'loop/inner')")
  }

  @Test(arguments: [0, 29, 100])
  func opsetOutsideTheSupportedRangeIsAnError(opset: Int) throws {
    var model = TestModel(opset: opset)
    model.input("x", .float, [1])
    model.output("x")
    #expect(
      model.importError()?.message
        == "the model uses opset \(opset) of the default ONNX domain; supported opsets are 1 to 28")
  }

  /// IR versions before 3 have no opset imports: such a model is read at opset 1, where Concat's axis is
  /// optional and defaults to 1.
  @Test func modelWithoutDefaultOpsetImportIsOpsetOne() throws {
    var model = TestModel(irVersion: 2)
    model.proto.opsetImport = []
    model.input("x", .float, [1, 2, 3])
    model.node("Concat", ["x", "x"], ["y"], name: "join")
    model.output("y")
    #expect(try model.imported().node("join").op == .concat(axis: 1))
  }

  @Test func removedOperatorIsUnsupportedAfterItsLastOpset() throws {
    var model = TestModel(opset: 10)
    model.input("x", .float, [1, 3, 2, 2])
    model.node("ImageScaler", ["x"], ["y"], name: "scale")
    model.output("y")
    #expect(
      model.importError()?.message
        == "unsupported operators: ImageScaler [opset 10; removed after opset 9] (node 'scale')")
  }

  @Test func everyListedOperatorHasAConversion() throws {
    // A node of each supported operator at the newest opset that has it, with inputs of rank 4: conversion may reject its
    // attributes or operands, but must never fall through to "not supported".
    for opType in OpSupport.firstOpset.keys.sorted() where opType != "Constant" {
      var model = TestModel(opset: OpSupport.lastOpset[opType, default: 28])
      model.input("x", .float, [1, 2, 3, 4])
      model.node(opType, ["x"], ["y"], name: "n")
      model.output("y")
      let message = model.importError()?.message ?? ""
      #expect(!message.contains("operator"), "\(opType): \(message)")
    }
  }
}
