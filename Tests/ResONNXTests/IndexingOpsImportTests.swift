import ResIR
import Testing

@testable import ResONNX

/// Not, Range and ScatterND as exporters write them (Swin's attention mask and relative positions).
@Suite struct IndexingOpsImportTests {
  @Test func notBecomesEqualToFalse() throws {
    var model = TestModel()
    model.input("flags", .bool, [2, 3])
    model.node("Not", ["flags"], ["inverted"], name: "invert")
    model.output("inverted", .bool)
    let graph = try model.imported().graph
    let node = try #require(graph.nodes.first { $0.name == "invert" })
    #expect(node.op == .binary(.equal))
    let falseValue = try #require(node.input(1).flatMap { graph.constant($0) })
    #expect(falseValue.dtype == .bool && falseValue.dims.isEmpty && falseValue.integers() == [0])
    #expect(graph.type(of: node.outputs[0]) == TensorType(.bool, dims: [2, 3]))
  }

  @Test func isNaNBecomesNotSelfEqual() throws {
    var model = TestModel(opset: 13)
    model.input("p", .float, [4])
    model.node("IsNaN", ["p"], ["nan"], name: "guard")
    model.output("nan", .bool)
    let graph = try model.imported().graph
    let selfEqual = try #require(graph.nodes.first { $0.name == "guard.is_number" })
    #expect(selfEqual.op == .binary(.equal) && selfEqual.input(0) == selfEqual.input(1))
    let node = try #require(graph.nodes.first { $0.name == "guard" })
    #expect(node.op == .binary(.equal) && node.input(0) == selfEqual.outputs[0])
    #expect(node.input(1).flatMap { graph.constant($0) }?.integers() == [0])
    var integers = TestModel(opset: 13)
    integers.input("i", .int64, [4])
    integers.node("IsNaN", ["i"], ["nan"], name: "guard")
    integers.output("nan", .bool)
    #expect(integers.importError()?.message == "X is int64 but must be a float type")
  }

  /// An IResNet's per-channel PReLU: the one PRelu op, the slope broadcast from [C, 1, 1]; a slope that does
  /// not broadcast to X (a larger shape) is refused by inference.
  @Test func pReluBecomesOneOp() throws {
    var model = TestModel()
    model.input("x", .float, [1, 4, 5, 5])
    model.initializer(Tensors.floats("slope", dims: [4, 1, 1], [0.1, 0.2, 0.3, 0.4]))
    model.node("PRelu", ["x", "slope"], ["y"], name: "act")
    model.output("y", .float)
    let graph = try model.imported().graph
    let node = try #require(graph.nodes.first { $0.name == "act" })
    #expect(graph.nodes.count == 1 && node.op == .binary(.prelu))
    #expect(node.input(0) == graph.inputs[0] && node.input(1).flatMap { graph.constant($0) } != nil)
    #expect(graph.type(of: node.outputs[0]) == TensorType(.float32, dims: [1, 4, 5, 5]))
    var larger = TestModel()
    larger.input("x", .float, [4, 5, 5])
    larger.initializer(Tensors.floats("slope", dims: [2, 4, 1, 1], [Float](repeating: 0.1, count: 8)))
    larger.node("PRelu", ["x", "slope"], ["y"], name: "act")
    larger.output("y", .float)
    #expect(larger.importError()?.message.contains("slope [2,4,1,1] does not broadcast to X [4,5,5]") == true)
  }

  /// ReduceSum's axes became an input at opset 13 (ReduceMean's only at 18).
  @Test(arguments: [11, 13])
  func reduceSumAxesFormsAgree(opset: Int) throws {
    var model = TestModel(opset: opset)
    model.input("x", .float, [2, 3, 4])
    if opset < 13 {
      model.node("ReduceSum", ["x"], ["y"], name: "sum", [Attr.ints("axes", [-1]), Attr.int("keepdims", 0)])
    } else {
      model.initializer(Tensors.int64s("axes", dims: [1], [-1]))
      model.node("ReduceSum", ["x", "axes"], ["y"], name: "sum", [Attr.int("keepdims", 0)])
    }
    model.output("y", .float)
    let graph = try model.imported().graph
    #expect(try #require(graph.nodes.first { $0.name == "sum" }).op == .reduce(.sum, axes: [2], keepDims: false))
    #expect(graph.type(of: graph.outputs[0]) == TensorType(.float32, dims: [2, 3]))
  }

  /// InstanceNormalization: statistics over the spatial axes of each image and channel.
  @Test func instanceNormalizationUsesSpatialStatistics() throws {
    var model = TestModel()
    model.input("x", .float, [1, 2, 6])
    model.initializer(Tensors.floats("scale", dims: [2], [1, 2]))
    model.initializer(Tensors.floats("bias", dims: [2], [0, 1]))
    model.node("InstanceNormalization", ["x", "scale", "bias"], ["y"], name: "norm", [Attr.float("epsilon", 1e-3)])
    model.output("y", .float)
    let graph = try model.imported().graph
    #expect(try #require(graph.nodes.first { $0.name == "norm.mean" }).op == .reduceMean(axes: [2], keepDims: true))
    #expect(try #require(graph.nodes.first { $0.name == "norm" }).op == .binary(.add))
    #expect(graph.type(of: graph.outputs[0]) == TensorType(.float32, dims: [1, 2, 6]))
  }

  /// Resize's scales follow `axes` in the order given; each resized length is ⌊length · scale⌋.
  @Test func resizeAxesKeepTheirOrder() throws {
    var model = TestModel(opset: 18)
    model.input("x", .float, ["N", 3, 5, 8])
    model.initializer(Tensors.floats("scales", dims: [2], [0.5, 2.5]))
    model.node(
      "Resize", ["x", "", "scales"], ["y"], name: "up",
      [Attr.ints("axes", [3, 2]), Attr.string("mode", "linear")])
    model.output("y", .float)
    let graph = try model.imported().graph
    guard case .resize(let attributes) = try #require(graph.nodes.first { $0.name == "up" }).op else {
      Issue.record("not a Resize")
      return
    }
    #expect(attributes.sizes == [-1, -1, 12, 4] && attributes.scales == [1, 1, 2.5, 0.5])
    #expect(graph.type(of: graph.outputs[0]).description == "f32[N,3,12,4]")
    var lanczos = model
    lanczos.proto.graph.node[0].attribute = [Attr.string("mode", "lanczos")]
    #expect(lanczos.importError()?.message == "mode 'lanczos' is not one of nearest, linear, cubic")
  }

  /// A resized length beyond 2^31 (a hostile scale or `sizes` under a keep-aspect policy) is an error naming
  /// the node; converting it to an integer used to trap.
  @Test func resizedLengthsBeyondTheLimitAreRefused() {
    var scaled = TestModel(opset: 18)
    scaled.input("x", .float, [1, 1, 4, 4])
    scaled.initializer(Tensors.floats("scales", dims: [4], [1, 1, 5e18, 1]))
    scaled.node("Resize", ["x", "", "scales"], ["y"], name: "up", [Attr.string("mode", "nearest")])
    scaled.output("y", .float)
    let error = scaled.importError()
    #expect(error?.node == "up")
    #expect(error?.message.hasPrefix("the resized length") == true)
    var sized = TestModel(opset: 18)
    sized.input("x", .float, [1, 1, 4, 4])
    sized.initializer(Tensors.int64s("sizes", dims: [4], [1, 1, Int.max, 4]))
    sized.node(
      "Resize", ["x", "", "", "sizes"], ["y"], name: "up",
      [Attr.string("mode", "nearest"), Attr.string("keep_aspect_ratio_policy", "not_smaller")])
    sized.output("y", .float)
    #expect(sized.importError()?.message.hasPrefix("the resized length") == true)
  }

  @Test func notOfAFloatIsRefused() {
    var model = TestModel()
    model.input("x", .float, [2])
    model.node("Not", ["x"], ["y"], name: "invert")
    model.output("y", .bool)
    let error = model.importError()
    #expect(error?.node == "invert")
    #expect(error?.message == "X is float but must be bool")
  }

  @Test func rangeOfShapeArithmeticIsTyped() throws {
    var model = TestModel()
    model.input("x", .float, ["N", 7])
    model.initializer(Tensors.int64s("zero", dims: [], [0]))
    model.initializer(Tensors.int64s("one", dims: [], [1]))
    model.initializer(Tensors.int64s("axis1", dims: [], [1]))
    model.node("Shape", ["x"], ["shape"])
    model.node("Gather", ["shape", "axis1"], ["width"], [Attr.int("axis", 0)])
    model.node("Range", ["zero", "width", "one"], ["positions"], name: "positions")
    model.output("positions", .int64)
    let graph = try model.imported().graph
    #expect(graph.type(of: graph.outputs[0]) == TensorType(.int64, dims: [7]))
  }

  @Test(arguments: [("none", 11), ("add", 16), ("mul", 16), ("max", 18), ("min", 18)])
  func scatterNDReductions(reduction: String, opset: Int) throws {
    var model = TestModel(opset: opset)
    model.input("data", .float, [4, 2])
    model.input("updates", .float, [1, 2])
    model.initializer(Tensors.int64s("rows", dims: [1, 1], [3]))
    let attributes = reduction == "none" ? [] : [Attr.string("reduction", reduction)]
    model.node("ScatterND", ["data", "rows", "updates"], ["y"], name: "scatter", attributes)
    model.output("y", .float)
    let node = try #require(try model.imported().graph.nodes.first { $0.name == "scatter" })
    #expect(node.op == .scatterND(try #require(ScatterReduction(rawValue: reduction))))
  }

  @Test func scatterNDUnknownReductionIsRefused() {
    var model = TestModel(opset: 18)
    model.input("data", .float, [4, 2])
    model.input("updates", .float, [1, 2])
    model.initializer(Tensors.int64s("rows", dims: [1, 1], [3]))
    model.node("ScatterND", ["data", "rows", "updates"], ["y"], name: "scatter", [Attr.string("reduction", "mean")])
    model.output("y", .float)
    #expect(model.importError()?.message == "reduction 'mean' is not one of none, add, mul, max, min")
  }
}
