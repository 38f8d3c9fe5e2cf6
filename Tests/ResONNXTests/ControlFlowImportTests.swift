import ResIR
import Testing

@testable import ResONNX

/// Loop and If at import: a loop whose trip count and condition are known when compiling is unrolled, an If
/// with a known condition imports one branch and one with a data-dependent condition both branches and a
/// Where; everything else is refused with the reason. The numbers are checked against onnxruntime by the
/// legacy fixtures `tf2onnx_while_lstm_opset13` and `torch_loop_and_if_opset17` and ONNX's node tests.
struct ControlFlowImportTests {
  // MARK: - Building subgraphs

  static func node(
    _ opType: String, _ inputs: [String], _ outputs: [String], _ attributes: [Onnx_AttributeProto] = []
  ) -> Onnx_NodeProto {
    Nodes.make(opType, inputs, outputs, attributes)
  }

  static func graph(
    _ name: String, _ nodes: [Onnx_NodeProto], inputs: [Onnx_ValueInfoProto] = [],
    outputs: [String], initializers: [Onnx_TensorProto] = []
  ) -> Onnx_AttributeProto {
    Attr.graph(name, nodes, inputs: inputs, outputs: outputs, initializers: initializers)
  }

  static func bool(_ name: String, _ value: Bool) -> Onnx_TensorProto {
    Tensors.raw(name, .bool, dims: [], bytes: [value ? 1 : 0])
  }

  static func scalar(_ name: String, _ value: Int) -> Onnx_TensorProto {
    Tensors.int64s(name, dims: [], [value])
  }

  /// The standard body inputs: iteration number, condition, and one carried f32[1,4] `h`.
  static let bodyInputs = [
    TestModel.valueInfo("i", .int64, []), TestModel.valueInfo("cond_in", .bool, []),
    TestModel.valueInfo("h", .float, [1, 4]),
  ]

  /// `h ← h + h` with the step's value as a scan output; `condition` computes `cond_out`.
  static func doublingBody(condition: [Onnx_NodeProto], initializers: [Onnx_TensorProto] = []) -> Onnx_AttributeProto {
    graph(
      "body", [node("Add", ["h", "h"], ["h_next"]), node("Identity", ["h_next"], ["step"])] + condition,
      inputs: bodyInputs, outputs: ["cond_out", "h_next", "step"], initializers: initializers)
  }

  /// x: f32[1,4] → Loop(tripCount, condition, x) → (h_final, steps).
  static func loopModel(
    tripCount: String, condition: String, body: Onnx_AttributeProto, initializers: [Onnx_TensorProto] = []
  ) -> TestModel {
    var model = TestModel()
    model.input("x", .float, [1, 4])
    for tensor in initializers { model.initializer(tensor) }
    model.node("Loop", [tripCount, condition, "x"], ["h_final", "steps"], name: "loop", [body])
    model.output("h_final")
    model.output("steps")
    return model
  }

  static func count(_ op: Op, in imported: ImportedModel) -> Int {
    imported.graph.nodes.filter { $0.op == op }.count
  }

  // MARK: - Loop

  /// A `for` loop: without a condition input the body's condition output is ignored (here a constant false).
  @Test func forLoopUnrollsItsBodyOncePerIteration() throws {
    let body = Self.doublingBody(condition: [
      Self.node("Constant", [], ["cond_out"], [Attr.tensor("value", Self.bool("stop", false))])
    ])
    let model = Self.loopModel(tripCount: "three", condition: "", body: body, initializers: [Self.scalar("three", 3)])
    let imported = try model.imported()
    #expect(Self.count(.binary(.add), in: imported) == 3)
    #expect(try imported.node("loop/iteration2/Add_0").op == .binary(.add))
    let outputs = imported.graph.outputs.map { imported.graph.type(of: $0) }
    #expect(outputs == [TensorType(.float32, dims: [1, 4]), TensorType(.float32, dims: [3, 1, 4])])
  }

  /// A while loop: the condition the body returns (a counter compared with a constant) ends it.
  @Test func knownConditionEndsTheLoop() throws {
    let body = Self.doublingBody(
      condition: [Self.node("Less", ["i", "limit"], ["cond_out"])], initializers: [Self.scalar("limit", 1)])
    let model = Self.loopModel(tripCount: "", condition: "go", body: body, initializers: [Self.bool("go", true)])
    let imported = try model.imported()
    // i = 0: 0 < 1 goes on; i = 1: 1 < 1 stops after the second copy.
    #expect(Self.count(.binary(.add), in: imported) == 2)
    #expect(imported.graph.type(of: imported.graph.outputs[1]) == TensorType(.float32, dims: [2, 1, 4]))
  }

  @Test func zeroIterationsPassTheInitialValuesThroughButHaveNoScanOutput() throws {
    let body = Self.doublingBody(condition: [Self.node("Identity", ["cond_in"], ["cond_out"])])
    var model = Self.loopModel(tripCount: "zero", condition: "", body: body, initializers: [Self.scalar("zero", 0)])
    #expect(
      model.importError()?.message == "runs no iterations, so its scan output 'steps' is empty, which is not supported")
    model.proto.graph.output.removeLast()
    let imported = try model.imported()
    #expect(Self.count(.binary(.add), in: imported) == 0)
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.float32, dims: [1, 4]))
  }

  @Test func tripCountFromTheInputValuesIsRefused() throws {
    let body = Self.doublingBody(condition: [Self.node("Identity", ["cond_in"], ["cond_out"])])
    var model = Self.loopModel(tripCount: "count", condition: "", body: body)
    model.input("count", .int64, [])
    let error = try #require(model.importError())
    #expect(error.node == "loop")
    #expect(error.message.hasPrefix("the trip count M is not known when compiling (it depends on the model's input"))
  }

  /// `for t in range(x.shape[0])` with a symbolic first axis: the error names the symbol and the option that
  /// sizes it, and with the size given the loop unrolls.
  @Test func tripCountOfASymbolicDimensionNamesTheDimOption() throws {
    let body = Self.doublingBody(condition: [Self.node("Identity", ["cond_in"], ["cond_out"])])
    var model = TestModel()
    model.input("x", .float, [1, 4])
    model.input("s", .float, ["T", 4])
    model.initializer(Tensors.int64s("zero", dims: [], [0]))
    model.node("Shape", ["s"], ["shape"], name: "shape")
    model.node("Gather", ["shape", "zero"], ["steps"], name: "steps", [Attr.int("axis", 0)])
    model.node("Loop", ["steps", "", "x"], ["h_final", "all"], name: "loop", [body])
    model.output("h_final")
    #expect(
      model.importError()?.message
        == "the trip count M is the symbolic dimension 'T', not known when compiling: give its size with --dim T=<size>")
    let sized = try ONNXImporter.importModel(
      bytes: model.bytes, baseDirectory: nil, options: ONNXImportOptions(dimensionBindings: ["T": 2]))
    #expect(sized.controlFlow == ["Loop 'loop': unrolled, 2 iterations"])
  }

  @Test func conditionFromTheDataIsRefused() throws {
    let body = Self.doublingBody(condition: [
      Self.node("ReduceSum", ["h_next"], ["total"], [Attr.int("keepdims", 0)]),
      Self.node("Greater", ["total", "zero"], ["cond_out"]),
    ], initializers: [Tensors.floats("zero", dims: [], [0])])
    let model = Self.loopModel(tripCount: "", condition: "go", body: body, initializers: [Self.bool("go", true)])
    #expect(
      model.importError()?.message.hasPrefix(
        "the condition the body returns is not known when compiling after iteration 1") == true)
  }

  @Test func loopWithNeitherTripCountNorConditionIsRefused() throws {
    let body = Self.doublingBody(condition: [Self.node("Identity", ["cond_in"], ["cond_out"])])
    let model = Self.loopModel(tripCount: "", condition: "", body: body)
    #expect(model.importError()?.message == "has neither a trip count nor a condition: it would never end")
  }

  /// A hostile trip count ends in an error once the copies pass the budget, not in an import that runs on.
  @Test func hugeTripCountIsRefused() throws {
    let body = Self.doublingBody(condition: [Self.node("Identity", ["cond_in"], ["cond_out"])])
    let model = Self.loopModel(
      tripCount: "many", condition: "", body: body, initializers: [Self.scalar("many", 1 << 40)])
    #expect(model.importError()?.message.hasPrefix("unrolling its subgraphs gives more than 200000 nodes") == true)
  }

  @Test func bodyWithTheWrongNumberOfInputsIsRefused() throws {
    var body = Self.doublingBody(condition: [Self.node("Identity", ["cond_in"], ["cond_out"])])
    body.g.input.append(TestModel.valueInfo("extra", .float, [1]))
    let model = Self.loopModel(tripCount: "three", condition: "", body: body, initializers: [Self.scalar("three", 3)])
    #expect(
      model.importError()?.message
        == "the body has 4 inputs; with 1 loop-carried value(s) it must have 3 (iteration number, condition, then "
        + "the carried values)")
  }

  @Test func bodyReadingAValueNoScopeDefinesIsRefused() throws {
    var body = Self.doublingBody(condition: [Self.node("Identity", ["cond_in"], ["cond_out"])])
    body.g.node[0].input = ["h", "nowhere"]
    let model = Self.loopModel(tripCount: "three", condition: "", body: body, initializers: [Self.scalar("three", 3)])
    #expect(
      model.importError()?.message
        == "'nowhere', which its subgraph reads, is not produced by any node and is not a graph input or initializer")
  }

  /// The body reads `w` from the main graph, whose producer comes after the Loop in the file: the sort must
  /// see the read, though it is not one of the Loop's inputs.
  @Test func bodyReadingAValueProducedLaterInTheFileImports() throws {
    let body = Self.graph(
      "body", [Self.node("Mul", ["h", "w"], ["h_next"]), Self.node("Identity", ["cond_in"], ["cond_out"])],
      inputs: Self.bodyInputs, outputs: ["cond_out", "h_next"])
    var model = TestModel()
    model.input("x", .float, [1, 4])
    model.initializer(Self.scalar("two", 2))
    model.node("Loop", ["two", "", "x"], ["h_final"], name: "loop", [body])
    model.node("Relu", ["x"], ["w"], name: "late")
    model.output("h_final")
    let imported = try model.imported()
    #expect(Self.count(.binary(.mul), in: imported) == 2)
  }

  @Test func nestedLoopsUnrollIntoEachOther() throws {
    let inner = Self.graph(
      "body", [Self.node("Add", ["g", "h"], ["g_next"]), Self.node("Identity", ["c"], ["c_out"])],
      inputs: [TestModel.valueInfo("j", .int64, []), TestModel.valueInfo("c", .bool, []),
               TestModel.valueInfo("g", .float, [1, 4])],
      outputs: ["c_out", "g_next"])
    let outer = Self.graph(
      "body", [Self.node("Loop", ["three", "", "h"], ["h_next"], [inner]),
               Self.node("Identity", ["cond_in"], ["cond_out"])],
      inputs: Self.bodyInputs, outputs: ["cond_out", "h_next"])
    var model = TestModel()
    model.input("x", .float, [1, 4])
    model.initializer(Self.scalar("two", 2))
    model.initializer(Self.scalar("three", 3))
    model.node("Loop", ["two", "", "x"], ["h_final"], name: "outer", [outer])
    model.output("h_final")
    let imported = try model.imported()
    #expect(Self.count(.binary(.add), in: imported) == 6)
    #expect(try imported.node("outer/iteration1/Loop_0/iteration2/Add_0").op == .binary(.add))
    // The inner loop is part of the outer one's line.
    #expect(imported.controlFlow == ["Loop 'outer': unrolled, 2 iterations"])
  }

  // MARK: - Scan

  /// x: f32[3,4] and y: f32[lengthOfY,4] scanned along axis 0 into a running sum `s`.
  static func scanModel(lengthOfY: Int, scanInputs: Int = 2) -> TestModel {
    let body = Self.graph(
      "body", [Self.node("Add", ["s", "a"], ["t"]), Self.node("Add", ["t", "b"], ["s_next"])],
      inputs: [TestModel.valueInfo("s", .float, [4]), TestModel.valueInfo("a", .float, [4]),
               TestModel.valueInfo("b", .float, [4])],
      outputs: ["s_next", "t"])
    var model = TestModel()
    model.input("x", .float, [3, 4])
    model.input("y", .float, [TestModel.DimSpec.value(lengthOfY), 4])
    model.initializer(Tensors.floats("zero", dims: [4], [0, 0, 0, 0]))
    model.node("Scan", ["zero", "x", "y"], ["total", "partials"], name: "scan", [body, Attr.int("num_scan_inputs", scanInputs)])
    model.output("total")
    model.output("partials")
    return model
  }

  @Test func scanUnrollsOncePerPositionOfTheScannedAxis() throws {
    let imported = try Self.scanModel(lengthOfY: 3).imported()
    #expect(Self.count(.binary(.add), in: imported) == 6)
    let types = imported.graph.outputs.map { imported.graph.type(of: $0) }
    #expect(types == [TensorType(.float32, dims: [4]), TensorType(.float32, dims: [3, 4])])
    #expect(imported.controlFlow == ["Scan 'scan': unrolled, 3 iterations"])
  }

  @Test func scanInputsOfDifferentLengthsAreRefused() throws {
    #expect(Self.scanModel(lengthOfY: 2).importError()?.message == "the scan inputs' scanned axes differ in length: [3, 2]")
    #expect(
      Self.scanModel(lengthOfY: 3, scanInputs: 4).importError()?.message
        == "num_scan_inputs is 4 of 3 inputs, and the body takes 3: the body must take every state variable and "
        + "one slice of every scan input")
  }

  // MARK: - If

  static func ifModel(condition: Onnx_TensorProto?, elseShape: [Int] = [1, 4]) -> TestModel {
    var model = TestModel()
    model.input("x", .float, [1, 4])
    if let condition { model.initializer(condition) } else { model.input("c", .bool, []) }
    model.initializer(Tensors.int64s("shape", elseShape))
    let then = Self.graph("then_branch", [Self.node("Relu", ["x"], ["r"])], outputs: ["r"])
    let otherwise = Self.graph("else_branch", [Self.node("Reshape", ["x", "shape"], ["s"])], outputs: ["s"])
    model.node("If", ["c"], ["y"], name: "choice", [then, otherwise])
    model.output("y")
    return model
  }

  @Test func ifWithAKnownConditionImportsOnlyItsBranch() throws {
    let taken = try Self.ifModel(condition: Self.bool("c", true)).imported()
    #expect(taken.controlFlow == ["If 'choice': condition known when compiling (true): then_branch imported"])
    #expect(Self.count(.unary(.relu), in: taken) == 1)
    #expect(Self.count(.reshape(allowZero: false), in: taken) == 0)
    let other = try Self.ifModel(condition: Self.bool("c", false), elseShape: [4, 1]).imported()
    #expect(Self.count(.unary(.relu), in: other) == 0)
    #expect(other.graph.type(of: other.graph.outputs[0]) == TensorType(.float32, dims: [4, 1]))
  }

  @Test func ifOnTheDataComputesBothBranchesAndSelects() throws {
    let imported = try Self.ifModel(condition: nil).imported()
    #expect(Self.count(.unary(.relu), in: imported) == 1)
    #expect(Self.count(.where, in: imported) == 1)
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.float32, dims: [1, 4]))
  }

  @Test func ifOnTheDataWithBranchesOfDifferentShapesIsRefused() throws {
    let error = try #require(Self.ifModel(condition: nil, elseShape: [4, 1]).importError())
    #expect(error.node == "choice")
    #expect(
      error.message
        == "the condition is not known when compiling, and output #0 is f32[1,4] in then_branch but f32[4,1] in "
        + "else_branch: a static plan needs one type whichever branch runs")
  }

  @Test func ifConditionMustBeOneBool() throws {
    var model = Self.ifModel(condition: Tensors.floats("c", dims: [2], [1, 0]))
    #expect(model.importError()?.message == "the condition must be a bool tensor of one element, got f32[2]")
    model.proto.graph.node[0].attribute.removeLast()
    #expect(model.importError()?.message == "required attribute 'else_branch' is missing")
  }
}
