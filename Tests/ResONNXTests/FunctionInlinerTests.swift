import ResIR
import Testing

@testable import ResONNX

/// Calls of model-local functions (`FunctionInliner`): a model that calls a function must import to the
/// graph of the same model written out flat, and hostile function tables must give one error, quickly.
@Suite struct FunctionInlinerTests {
  static let domain = "local.blocks"

  /// A function `name` in the test domain with the body `nodes` (each: op type, inputs, outputs, attributes).
  static func function(
    _ name: String, inputs: [String], outputs: [String], attributes: [String] = [],
    defaults: [Onnx_AttributeProto] = [], opset: Int = 17,
    _ nodes: [(String, [String], [String], [Onnx_AttributeProto])]
  ) -> Onnx_FunctionProto {
    var function = Onnx_FunctionProto()
    function.name = name
    function.domain = domain
    function.input = inputs
    function.output = outputs
    function.attribute = attributes
    function.attributeProto = defaults
    var opsetImport = Onnx_OperatorSetIdProto()
    opsetImport.version = Int64(opset)
    function.opsetImport = [opsetImport]
    function.node = nodes.map { opType, inputs, outputs, attributes in
      Nodes.make(opType, inputs, outputs, attributes)
    }
    return function
  }

  /// An attribute `name` that takes the caller's attribute `reference`.
  static func reference(_ name: String, to reference: String, _ type: Onnx_AttributeProto.AttributeType)
    -> Onnx_AttributeProto
  {
    var attribute = Onnx_AttributeProto()
    attribute.name = name
    attribute.refAttrName = reference
    attribute.type = type
    return attribute
  }

  /// A model with one input `x` `[1, 4, 6, 6]`, the test domain imported, and `functions`.
  static func model(_ functions: [Onnx_FunctionProto]) -> TestModel {
    var model = TestModel(opset: 17)
    var blocks = Onnx_OperatorSetIdProto()
    blocks.domain = domain
    blocks.version = 1
    model.proto.opsetImport.append(blocks)
    model.proto.functions = functions
    model.input("x", .float, [1, 4, 6, 6])
    return model
  }

  /// Appends a call of `function` to `model`.
  static func call(
    _ model: inout TestModel, _ function: String, _ inputs: [String], _ outputs: [String], name: String,
    _ attributes: [Onnx_AttributeProto] = []
  ) {
    var node = model.node(function, inputs, outputs, name: name, attributes)
    node.domain = domain
    model.proto.graph.node[model.proto.graph.node.count - 1] = node
  }

  static let weights = Tensors.floats("w", dims: [4, 4, 1, 1], (0..<16).map { Float($0 % 5) * 0.25 - 0.5 })

  /// Conv + LeakyRelu + Add around the block input: a residual block as a function, its slope an attribute.
  static let residualBlock = function(
    "Residual", inputs: ["in", "weights"], outputs: ["out"], attributes: ["slope"],
    [
      ("Conv", ["in", "weights"], ["conv"], []),
      ("LeakyRelu", ["conv"], ["act"], [reference("alpha", to: "slope", .float)]),
      ("Add", ["act", "in"], ["out"], []),
    ])

  @Test func callsImportAsTheirBodiesWrittenOut() throws {
    var called = Self.model([Self.residualBlock])
    called.initializer(Self.weights)
    Self.call(&called, "Residual", ["x", "w"], ["h"], name: "block1", [Attr.float("slope", 0.2)])
    Self.call(&called, "Residual", ["h", "w"], ["y"], name: "block2", [Attr.float("slope", 0.3)])
    called.output("y")

    var flat = TestModel(opset: 17)
    flat.input("x", .float, [1, 4, 6, 6])
    flat.initializer(Self.weights)
    for (block, (input, output, slope)) in [("x", "h", Float(0.2)), ("h", "y", 0.3)].enumerated() {
      flat.node("Conv", [input, "w"], ["c\(block)"])
      flat.node("LeakyRelu", ["c\(block)"], ["a\(block)"], [Attr.float("alpha", slope)])
      flat.node("Add", ["a\(block)", input], [output])
    }
    flat.output("y")

    let inlined = try called.imported().graph
    let written = try flat.imported().graph
    #expect(inlined.nodes.map(\.op) == written.nodes.map(\.op))
    #expect(
      inlined.nodes.map(\.name) == [
        "block1/Conv_0", "block1/LeakyRelu_1", "block1/Add_2", "block2/Conv_0", "block2/LeakyRelu_1", "block2/Add_2",
      ])
  }

  @Test func anUnsetAttributeTakesTheFunctionsDefaultOrTheOperatorsOwn() throws {
    var defaultSlope = Self.residualBlock
    defaultSlope.attribute = []
    defaultSlope.attributeProto = [Attr.float("slope", 0.4)]
    var withDefault = Self.model([defaultSlope])
    withDefault.initializer(Self.weights)
    Self.call(&withDefault, "Residual", ["x", "w"], ["y"], name: "block")
    withDefault.output("y")
    let slope = try #require(withDefault.imported().graph.nodes.first { $0.name == "block/LeakyRelu_1" })

    var explicit = TestModel(opset: 17)
    explicit.input("x", .float, [1, 4])
    explicit.node("LeakyRelu", ["x"], ["y"], [Attr.float("alpha", 0.4)])
    explicit.output("y")
    #expect(slope.op == (try explicit.imported().graph.nodes[0].op))

    var withoutDefault = Self.model([Self.residualBlock])
    withoutDefault.initializer(Self.weights)
    Self.call(&withoutDefault, "Residual", ["x", "w"], ["y"], name: "block")
    withoutDefault.output("y")
    let operatorDefault = try #require(withoutDefault.imported().graph.nodes.first { $0.name == "block/LeakyRelu_1" })
    var plain = TestModel(opset: 17)
    plain.input("x", .float, [1, 4])
    plain.node("LeakyRelu", ["x"], ["y"])
    plain.output("y")
    #expect(operatorDefault.op == (try plain.imported().graph.nodes[0].op))
  }

  /// A call that leaves out trailing inputs leaves the body's optional operands missing.
  @Test func aMissingInputIsAMissingOptionalValueInTheBody() throws {
    let clip = Self.function(
      "Bounded", inputs: ["in", "low", "high"], outputs: ["out"], [("Clip", ["in", "low", "high"], ["out"], [])])
    var called = Self.model([clip])
    Self.call(&called, "Bounded", ["x"], ["y"], name: "bounded")
    called.output("y")
    let node = try #require(called.imported().graph.nodes.first)
    #expect(node.name == "bounded/Clip_0")
    #expect(node.inputs.count == 1 || node.inputs.dropFirst().allSatisfy { $0 == nil })
  }

  @Test func functionsCallingFunctionsExpandAllTheWay() throws {
    let inner = Self.function("Inner", inputs: ["a"], outputs: ["b"], [("Relu", ["a"], ["b"], [])])
    var outer = Self.function(
      "Outer", inputs: ["p"], outputs: ["q"], [("Inner", ["p"], ["mid"], []), ("Sigmoid", ["mid"], ["q"], [])])
    outer.node[0].domain = Self.domain
    outer.node[0].name = "first"
    var model = Self.model([outer, inner])
    Self.call(&model, "Outer", ["x"], ["y"], name: "outer")
    model.output("y")
    let graph = try model.imported().graph
    #expect(graph.nodes.map(\.name) == ["outer/first/Relu_0", "outer/Sigmoid_1"])
  }

  @Test func bodyValuesNeverTakeTheNamesOfTheModelsValues() throws {
    let block = Self.function(
      "Twice", inputs: ["in"], outputs: ["out"], [("Relu", ["in"], ["mid"], []), ("Neg", ["mid"], ["out"], [])])
    var model = Self.model([block])
    // The model itself has a value named as the call's first body value would be.
    model.node("Abs", ["x"], ["call/mid"], name: "abs")
    Self.call(&model, "Twice", ["call/mid"], ["y"], name: "call")
    model.output("y")
    let graph = try model.imported().graph
    #expect(graph.nodes.count == 3)
    let named = Set(graph.values.map(\.name))
    #expect(named.contains("call/mid") && named.contains("call/mid_1"))
  }

  @Test func anInputPassedStraightThroughBecomesAnIdentity() throws {
    let both = Self.function(
      "Both", inputs: ["in"], outputs: ["in", "out"], [("Relu", ["in"], ["out"], [])])
    var model = Self.model([both])
    Self.call(&model, "Both", ["x"], ["same", "y"], name: "both")
    model.node("Add", ["same", "y"], ["z"], name: "sum")
    model.output("z")
    let graph = try model.imported().graph
    #expect(graph.nodes.map(\.name).contains("both/Relu_0"))
    #expect(graph.values.contains { $0.name == "z" })
  }

  /// Only the functions a graph calls are read: an unused one may import another opset.
  @Test func anUncalledFunctionIsNeverChecked() throws {
    var newer = Self.function("Unused", inputs: ["a"], outputs: ["b"], opset: 21, [("Relu", ["a"], ["b"], [])])
    var model = Self.model([newer, Self.residualBlock])
    model.initializer(Self.weights)
    Self.call(&model, "Residual", ["x", "w"], ["y"], name: "block", [Attr.float("slope", 0.1)])
    model.output("y")
    #expect(try model.imported().graph.nodes.count == 3)
  }

  @Test func recursionIsAnError() throws {
    var looping = Self.function("Loop", inputs: ["a"], outputs: ["b"], [("Loop", ["a"], ["b"], [])])
    looping.node[0].domain = Self.domain
    var model = Self.model([looping])
    Self.call(&model, "Loop", ["x"], ["y"], name: "start")
    model.output("y")
    let error = try #require(model.importError())
    #expect(error.description.contains("function 'local.blocks::Loop' calls itself"))

    var ping = Self.function("Ping", inputs: ["a"], outputs: ["b"], [("Pong", ["a"], ["b"], [])])
    var pong = Self.function("Pong", inputs: ["a"], outputs: ["b"], [("Ping", ["a"], ["b"], [])])
    ping.node[0].domain = Self.domain
    pong.node[0].domain = Self.domain
    var mutual = Self.model([ping, pong])
    Self.call(&mutual, "Ping", ["x"], ["y"], name: "start")
    mutual.output("y")
    #expect(try #require(mutual.importError()).description.contains("calls itself"))
  }

  /// 40 levels of functions each calling the next twice, the last one empty: 2^40 calls if expanded.
  @Test func anExponentialExpansionIsRefusedQuickly() throws {
    var functions: [Onnx_FunctionProto] = [Self.function("Level40", inputs: ["a"], outputs: ["a"], [])]
    for level in stride(from: 39, through: 0, by: -1) {
      var next = Self.function(
        "Level\(level)", inputs: ["a"], outputs: ["c"],
        [("Level\(level + 1)", ["a"], ["b"], []), ("Level\(level + 1)", ["b"], ["c"], [])])
      next.node[0].domain = Self.domain
      next.node[1].domain = Self.domain
      functions.append(next)
    }
    var model = Self.model(functions)
    Self.call(&model, "Level0", ["x"], ["y"], name: "top")
    model.output("y")
    let error = try #require(model.importError())
    #expect(error.message == "expanding the model's functions gives more than 1000000 nodes")
  }

  /// 5,000 functions each calling the next: refused at the depth limit, not by overflowing the stack.
  @Test func deepNestingIsRefused() throws {
    var functions = [Self.function("Level5000", inputs: ["a"], outputs: ["b"], [("Relu", ["a"], ["b"], [])])]
    for level in stride(from: 4999, through: 0, by: -1) {
      var next = Self.function(
        "Level\(level)", inputs: ["a"], outputs: ["b"], [("Level\(level + 1)", ["a"], ["b"], [])])
      next.node[0].domain = Self.domain
      functions.append(next)
    }
    var model = Self.model(functions)
    Self.call(&model, "Level0", ["x"], ["y"], name: "top")
    model.output("y")
    #expect(try #require(model.importError()).message == "function calls nest more than 100 deep")

    var shallow = Self.model(Array(functions.prefix(60)))
    Self.call(&shallow, "Level4950", ["x"], ["y"], name: "top")
    shallow.output("y")
    let graph = try shallow.imported().graph
    #expect(graph.nodes.count == 1)
    #expect(graph.nodes[0].name.split(separator: "/").count == 52)
  }

  /// A body that writes one of its inputs, or reads a value nothing defines, fails as the written-out graph
  /// would.
  @Test func bodiesThatBreakTheGraphAreErrors() throws {
    let overwrite = Self.function(
      "Overwrite", inputs: ["a"], outputs: ["b"], [("Relu", ["a"], ["a"], []), ("Neg", ["a"], ["b"], [])])
    var writes = Self.model([overwrite])
    Self.call(&writes, "Overwrite", ["x"], ["y"], name: "call")
    writes.output("y")
    #expect(writes.importError() != nil)

    let dangling = Self.function("Dangling", inputs: ["a"], outputs: ["b"], [("Add", ["a", "nowhere"], ["b"], [])])
    var reads = Self.model([dangling])
    Self.call(&reads, "Dangling", ["x"], ["y"], name: "call")
    reads.output("y")
    #expect(try #require(reads.importError()).description.contains("call/nowhere"))
  }

  @Test func malformedFunctionTablesAndCallsAreErrors() throws {
    var twice = Self.model([Self.residualBlock, Self.residualBlock])
    Self.call(&twice, "Residual", ["x", "x"], ["y"], name: "block")
    twice.output("y")
    #expect(twice.importError()?.message == "the model defines function 'local.blocks::Residual' twice")

    var newer = Self.residualBlock
    newer.opsetImport[0].version = 18
    var mismatched = Self.model([newer])
    Self.call(&mismatched, "Residual", ["x", "x"], ["y"], name: "block")
    mismatched.output("y")
    #expect(mismatched.importError()?.message.hasPrefix("function 'local.blocks::Residual' imports opset 18") == true)

    var extra = Self.model([Self.residualBlock])
    Self.call(&extra, "Residual", ["x", "x", "x"], ["y"], name: "block")
    extra.output("y")
    let error = try #require(extra.importError())
    #expect(error.node == "block")
    #expect(error.message.contains("passes 3 inputs"))
  }

  /// A function's If reads the function's input `a` from inside its branch. Expanded into a caller whose main
  /// graph has a value of its own named `a`, the branch must read the call's argument `x`, not that value.
  @Test func subgraphInsideAFunctionReadsTheCallsValues() throws {
    let branch = Attr.graph("then_branch", [Nodes.make("Relu", ["a"], ["r"])], outputs: ["r"])
    let otherwise = Attr.graph("else_branch", [Nodes.make("Neg", ["a"], ["r"])], outputs: ["r"])
    let choose = Self.function(
      "Choose", inputs: ["a", "c"], outputs: ["b"], [("If", ["c"], ["b"], [branch, otherwise])])
    var model = Self.model([choose])
    model.initializer(Tensors.raw("c", .bool, dims: [], bytes: [1]))
    model.node("Sigmoid", ["x"], ["a"], name: "shadow")
    Self.call(&model, "Choose", ["x", "c"], ["y"], name: "choose")
    model.output("y")
    let imported = try model.imported()
    let selected = try #require(imported.graph.nodes.first { $0.op == .unary(.relu) })
    let source = imported.graph[try #require(selected.input(0))].name
    #expect(source == "x")
  }
}
