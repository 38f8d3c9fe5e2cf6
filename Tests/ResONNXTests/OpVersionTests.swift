import ResIR
import Testing

@testable import ResONNX

/// Every older-opset form of an operator becomes the same IR op as its newest form.
@Suite struct OpVersionTests {
  /// A model at `opset` with a float input `x` of `dims`; `build` adds nodes (the one under test named "n")
  /// and initializers; every output of "n" is a graph output.
  static func model(
    opset: Int, dims: [TestModel.DimSpec] = [2, 3, 4, 5], _ build: (inout TestModel) -> Void
  ) -> TestModel {
    var model = TestModel(opset: opset)
    model.input("x", .float, dims)
    build(&model)
    if let node = model.proto.graph.node.last {
      for output in node.output where !output.isEmpty { model.output(output) }
    }
    return model
  }

  static func node(
    opset: Int, dims: [TestModel.DimSpec] = [2, 3, 4, 5], _ build: (inout TestModel) -> Void
  ) throws -> (node: Node, graph: Graph) {
    let imported = try model(opset: opset, dims: dims, build).imported()
    return (try imported.node("n"), imported.graph)
  }

  /// The integer values of the constants in a node's operand slots (nil for absent or non-constant slots).
  static func constantOperands(_ node: Node, _ graph: Graph) -> [[Double]?] {
    node.inputs.map { $0.flatMap(graph.constant)?.doubles() }
  }

  // MARK: - Clip

  @Test func clipAttributesBecomeConstantOperands() throws {
    let old = try Self.node(opset: 7) {
      $0.node("Clip", ["x"], ["y"], name: "n", [Attr.float("min", 0), Attr.float("max", 6)])
    }
    let new = try Self.node(opset: 13) {
      $0.initializer(Tensors.floats("lo", dims: [], [0]))
      $0.initializer(Tensors.floats("hi", dims: [], [6]))
      $0.node("Clip", ["x", "lo", "hi"], ["y"], name: "n")
    }
    #expect(old.node.op == .clip && new.node.op == .clip)
    #expect(Self.constantOperands(old.node, old.graph) == Self.constantOperands(new.node, new.graph))
    #expect(Self.constantOperands(old.node, old.graph) == [nil, [0], [6]])
    #expect(old.graph.constant(try #require(old.node.inputs[1]))?.dtype == .float32)
  }

  @Test func clipWithOnlyAMaximum() throws {
    let old = try Self.node(opset: 10) { $0.node("Clip", ["x"], ["y"], name: "n", [Attr.float("max", 6)]) }
    #expect(old.node.inputs.count == 3)
    #expect(old.node.inputs[1] == nil)
    #expect(Self.constantOperands(old.node, old.graph) == [nil, nil, [6]])
    let unbounded = try Self.node(opset: 10) { $0.node("Clip", ["x"], ["y"], name: "n") }
    #expect(unbounded.node.inputs.count == 1)
  }

  // MARK: - Split

  @Test func splitSizesFromAttributeInputOrNumOutputs() throws {
    let attribute = try Self.node(opset: 11) {
      $0.node("Split", ["x"], ["a", "b"], name: "n", [Attr.int("axis", -1), Attr.ints("split", [2, 3])])
    }
    let input = try Self.node(opset: 13) {
      $0.initializer(Tensors.int64s("sizes", [2, 3]))
      $0.node("Split", ["x", "sizes"], ["a", "b"], name: "n", [Attr.int("axis", 3)])
    }
    #expect(attribute.node.op == .split(axis: 3, sizes: [2, 3]))
    #expect(input.node.op == attribute.node.op)
    #expect(input.node.inputs.count == 1)

    let even = try Self.node(opset: 7) { $0.node("Split", ["x"], ["a", "b", "c"], name: "n", [Attr.int("axis", 1)]) }
    #expect(even.node.op == .split(axis: 1, sizes: [1, 1, 1]))
    let numOutputs = try Self.node(opset: 18) {
      $0.node("Split", ["x"], ["a", "b"], name: "n", [Attr.int("axis", 3), Attr.int("num_outputs", 2)])
    }
    #expect(numOutputs.node.op == .split(axis: 3, sizes: [3, 2]))
  }

  @Test func unevenSplitWithoutSizesIsAnError() throws {
    let model = Self.model(opset: 13) { $0.node("Split", ["x"], ["a", "b"], name: "n", [Attr.int("axis", 3)]) }
    #expect(
      model.importError()
        == ModelError(node: "n", opType: "Split", "cannot split an axis of size 5 evenly into 2 outputs"))
  }

  @Test func splitOfAHugeDeclaredAxisDoesNotOverflow() throws {
    let size = Int(Int64.max)
    let node = try Self.node(opset: 18, dims: [2, .value(size)]) {
      $0.node("Split", ["x"], ["a", "b", "c"], name: "n", [Attr.int("axis", 1), Attr.int("num_outputs", 3)])
    }.node
    let part = size / 3 + 1
    #expect(node.op == .split(axis: 1, sizes: [part, part, size - 2 * part]))
  }

  // MARK: - Squeeze, Unsqueeze

  @Test func squeezeAxesFromAttributeOrInput() throws {
    let old = try Self.node(opset: 11, dims: [1, 3, 1, 5]) {
      $0.node("Squeeze", ["x"], ["y"], name: "n", [Attr.ints("axes", [-2, 0])])
    }
    let new = try Self.node(opset: 13, dims: [1, 3, 1, 5]) {
      $0.initializer(Tensors.int64s("axes", [0, 2]))
      $0.node("Squeeze", ["x", "axes"], ["y"], name: "n")
    }
    #expect(old.node.op == .squeeze(axes: [0, 2]))
    #expect(new.node.op == old.node.op)
    #expect(new.node.inputs.count == 1)
    let all = try Self.node(opset: 13, dims: [1, 3, 1, 5]) { $0.node("Squeeze", ["x"], ["y"], name: "n") }
    #expect(all.node.op == .squeeze(axes: nil))
  }

  @Test func unsqueezeAxesIndexTheOutput() throws {
    let old = try Self.node(opset: 9, dims: [3, 4]) {
      $0.node("Unsqueeze", ["x"], ["y"], name: "n", [Attr.ints("axes", [-1, 0])])
    }
    let new = try Self.node(opset: 13, dims: [3, 4]) {
      $0.node("Constant", [], ["axes"], name: "k", [Attr.tensor("value", Tensors.int64s("", [0, 3]))])
      $0.node("Unsqueeze", ["x", "axes"], ["y"], name: "n")
    }
    #expect(old.node.op == .unsqueeze(axes: [0, 3]))
    #expect(new.node.op == old.node.op)
  }

  @Test func axesThroughIdentityOfAConstantCount() throws {
    let viaIdentity = try Self.node(opset: 13, dims: [3, 4]) {
      $0.initializer(Tensors.int64s("axes", [1]))
      $0.node("Identity", ["axes"], ["axes2"], name: "copy")
      $0.node("Unsqueeze", ["x", "axes2"], ["y"], name: "n")
    }
    #expect(viaIdentity.node.op == .unsqueeze(axes: [1]))
  }

  @Test func nonConstantAxesAreAnError() throws {
    let model = Self.model(opset: 13, dims: [3, 4]) {
      $0.input("axes", .int64, [1])
      $0.node("Unsqueeze", ["x", "axes"], ["y"], name: "n")
    }
    #expect(
      model.importError()
        == ModelError(node: "n", opType: "Unsqueeze", "operand 'axes' of Unsqueeze must be a constant"))
  }

  @Test func repeatedOrOutOfRangeAxesAreErrors() throws {
    let repeated = Self.model(opset: 11, dims: [3, 4]) {
      $0.node("Unsqueeze", ["x"], ["y"], name: "n", [Attr.ints("axes", [0, -4])])
    }
    #expect(repeated.importError()?.message == "axes lists axis 0 twice")
    let outOfRange = Self.model(opset: 11, dims: [3, 4]) {
      $0.node("Squeeze", ["x"], ["y"], name: "n", [Attr.ints("axes", [2])])
    }
    #expect(outOfRange.importError()?.message == "axes entry 2 is out of range for rank 2")
  }

  // MARK: - ReduceMean

  @Test func reduceMeanAxesFromAttributeOrInput() throws {
    let old = try Self.node(opset: 13) {
      $0.node("ReduceMean", ["x"], ["y"], name: "n", [Attr.ints("axes", [-1, -2]), Attr.int("keepdims", 0)])
    }
    let new = try Self.node(opset: 18) {
      $0.initializer(Tensors.int64s("axes", [2, 3]))
      $0.node("ReduceMean", ["x", "axes"], ["y"], name: "n", [Attr.int("keepdims", 0)])
    }
    #expect(old.node.op == .reduceMean(axes: [2, 3], keepDims: false))
    #expect(new.node.op == old.node.op)
    #expect(new.node.inputs.count == 1)
  }

  @Test func reduceMeanWithoutAxes() throws {
    let old = try Self.node(opset: 11) { $0.node("ReduceMean", ["x"], ["y"], name: "n") }
    let new = try Self.node(opset: 18) { $0.node("ReduceMean", ["x"], ["y"], name: "n") }
    #expect(old.node.op == .reduceMean(axes: nil, keepDims: true))
    #expect(new.node.op == old.node.op)
    let noop = try Self.node(opset: 18) {
      $0.node("ReduceMean", ["x"], ["y"], name: "n", [Attr.int("noop_with_empty_axes", 1)])
    }
    #expect(noop.node.op == .reduceMean(axes: [], keepDims: true))
  }

  // MARK: - Pad

  @Test func padFromAttributesInputsOrAxes() throws {
    let pads = [0, 0, 1, 2, 0, 0, 3, 4]
    let old = try Self.node(opset: 7) {
      $0.node("Pad", ["x"], ["y"], name: "n", [Attr.ints("pads", pads), Attr.float("value", 1.5)])
    }
    let new = try Self.node(opset: 13) {
      $0.initializer(Tensors.int64s("pads", pads))
      $0.initializer(Tensors.floats("value", dims: [], [1.5]))
      $0.node("Pad", ["x", "pads", "value"], ["y"], name: "n")
    }
    let withAxes = try Self.node(opset: 18) {
      $0.initializer(Tensors.int64s("pads", [2, 1, 4, 3]))
      $0.initializer(Tensors.int64s("axes", [-1, 2]))
      $0.initializer(Tensors.floats("value", dims: [], [1.5]))
      $0.node("Pad", ["x", "pads", "value", "axes"], ["y"], name: "n")
    }
    #expect(old.node.op == .pad(mode: .constant, pads: pads))
    #expect(new.node.op == old.node.op)
    #expect(withAxes.node.op == old.node.op)
    #expect(Self.constantOperands(old.node, old.graph) == [nil, [1.5]])
    #expect(Self.constantOperands(new.node, new.graph) == [nil, [1.5]])
    #expect(Self.constantOperands(withAxes.node, withAxes.graph) == [nil, [1.5]])

    let reflect = try Self.node(opset: 10) {
      $0.node("Pad", ["x"], ["y"], name: "n", [Attr.ints("pads", pads), Attr.string("mode", "reflect")])
    }
    #expect(reflect.node.op == .pad(mode: .reflect, pads: pads))
    #expect(reflect.node.inputs.count == 1)
  }

  /// `F.pad(x, (1, 2))` as torch.onnx exports it: the pads are computed from constants through a rank-2
  /// Reshape, a reversing Slice and a Transpose, and become the IR's pads attribute.
  @Test func padsComputedLikePytorchsFPadExport() throws {
    let padded = try Self.node(opset: 17) {
      $0.initializer(Tensors.int64s("given", [1, 2]))
      $0.initializer(Tensors.int64s("rest", [6]))
      $0.initializer(Tensors.int64s("pairs", [-1, 2]))
      $0.initializer(Tensors.int64s("minus_one", [-1]))
      $0.initializer(Tensors.int64s("zero", [0]))
      $0.initializer(Tensors.int64s("far", [-Int.max]))
      $0.node("ConstantOfShape", ["rest"], ["zeros"], [Attr.tensor("value", Tensors.int64s("v", dims: [1], [0]))])
      $0.node("Concat", ["given", "zeros"], ["flat"], [Attr.int("axis", 0)])
      $0.node("Reshape", ["flat", "pairs"], ["rows"])
      $0.node("Slice", ["rows", "minus_one", "far", "zero", "minus_one"], ["reversed"])
      $0.node("Transpose", ["reversed"], ["columns"], [Attr.ints("perm", [1, 0])])
      $0.node("Reshape", ["columns", "minus_one"], ["pads"])
      $0.node("Pad", ["x", "pads"], ["y"], name: "n")
    }
    #expect(padded.node.op == .pad(mode: .constant, pads: [0, 0, 0, 1, 0, 0, 0, 2]))
    #expect(padded.graph.type(of: padded.node.outputs[0]) == TensorType(.float32, dims: [2, 3, 4, 8]))
  }

  @Test func computedPadsMustBeAnIntegerVector() throws {
    let matrix = Self.model(opset: 17) {
      $0.initializer(Tensors.int64s("flat", [0, 0, 0, 1, 0, 0, 0, 2]))
      $0.initializer(Tensors.int64s("pairs", [-1, 2]))
      $0.node("Reshape", ["flat", "pairs"], ["pads"])
      $0.node("Pad", ["x", "pads"], ["y"], name: "n")
    }
    #expect(matrix.importError()?.message == "operand 'pads' must be a scalar or a 1-D tensor, not i64[4,2]")
    let floats = Self.model(opset: 17) {
      $0.initializer(Tensors.floats("flat", dims: [8], [0, 0, 0, 1, 0, 0, 0, 2]))
      $0.node("Identity", ["flat"], ["pads"])
      $0.node("Pad", ["x", "pads"], ["y"], name: "n")
    }
    #expect(floats.importError()?.message == "operand 'pads' must hold integers, not float")
  }

  @Test func padsOfTheWrongLengthAreAnError() throws {
    let model = Self.model(opset: 7) { $0.node("Pad", ["x"], ["y"], name: "n", [Attr.ints("pads", [1, 1])]) }
    #expect(model.importError()?.message == "pads has 2 entries, expected 8 (begin and end per axis)")
  }

  // MARK: - Slice

  @Test func sliceAttributesBecomeConstantOperands() throws {
    let old = try Self.node(opset: 9) {
      $0.node(
        "Slice", ["x"], ["y"], name: "n",
        [Attr.ints("starts", [1, 0]), Attr.ints("ends", [3, -1]), Attr.ints("axes", [1, 3])])
    }
    let new = try Self.node(opset: 13) {
      $0.initializer(Tensors.int64s("starts", [1, 0]))
      $0.initializer(Tensors.int64s("ends", [3, -1]))
      $0.initializer(Tensors.int64s("axes", [1, 3]))
      $0.node("Slice", ["x", "starts", "ends", "axes"], ["y"], name: "n")
    }
    #expect(old.node.op == .slice && new.node.op == .slice)
    #expect(Self.constantOperands(old.node, old.graph) == Self.constantOperands(new.node, new.graph))
    #expect(old.graph.constant(try #require(old.node.inputs[1]))?.dtype == .int64)
  }

  // MARK: - Softmax

  @Test func softmaxBeforeOpset13IsCoercedTo2DUnlessTheAxisIsLast() throws {
    let oldLast = try Self.node(opset: 11, dims: [2, 10]) { $0.node("Softmax", ["x"], ["y"], name: "n") }
    let new = try Self.node(opset: 13, dims: [2, 10]) { $0.node("Softmax", ["x"], ["y"], name: "n") }
    #expect(oldLast.node.op == .softmax(axis: 1, coerced2D: false))
    #expect(new.node.op == oldLast.node.op)

    let oldInner = try Self.node(opset: 11) { $0.node("Softmax", ["x"], ["y"], name: "n") }
    #expect(oldInner.node.op == .softmax(axis: 1, coerced2D: true))
    let newInner = try Self.node(opset: 13) { $0.node("Softmax", ["x"], ["y"], name: "n", [Attr.int("axis", -3)]) }
    #expect(newInner.node.op == .softmax(axis: 1, coerced2D: false))
  }

  // MARK: - BatchNormalization and Dropout

  static func batchNorm(opset: Int, outputs: [String] = ["y"], _ attributes: [Onnx_AttributeProto] = []) -> TestModel {
    model(opset: opset) {
      for name in ["scale", "bias", "mean", "var"] { $0.initializer(Tensors.floats(name, dims: [3], [1, 1, 1])) }
      $0.node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], outputs, name: "n", attributes)
    }
  }

  @Test func batchNormalizationFormsAgree() throws {
    let old = try Self.batchNorm(opset: 7, [Attr.int("spatial", 1), Attr.float("epsilon", 1e-3)]).imported()
    let new = try Self.batchNorm(opset: 15, [Attr.float("epsilon", 1e-3), Attr.int("training_mode", 0)]).imported()
    #expect(try old.node("n").op == .batchNormalization(epsilon: 1e-3))
    #expect(try new.node("n").op == old.node("n").op)
  }

  /// training_mode=1 normalizes with X's own statistics (NF-ResNets' weight standardization): a chain of
  /// ReduceMean, Sub, Mul, Add, Sqrt, Div and the affine; only the running statistics outputs are refused.
  @Test func batchNormalizationTrainingUsesBatchStatistics() throws {
    let flagged = try Self.batchNorm(opset: 15, [Attr.int("training_mode", 1)]).imported()
    #expect(try flagged.node("n.mean").op == .reduceMean(axes: [0, 2, 3], keepDims: true))
    #expect(try flagged.node("n.variance").op == .reduceMean(axes: [0, 2, 3], keepDims: true))
    #expect(try flagged.node("n").op == .binary(.add))
    #expect(!flagged.graph.nodes.contains { if case .batchNormalization = $0.op { true } else { false } })
    let usedStatistic = Self.batchNorm(opset: 9, outputs: ["y", "running_mean"])
    #expect(
      usedStatistic.importError()?.message
        == "training mode is not supported (statistics output 'running_mean' is used)")
    var unusedStatistic = Self.batchNorm(opset: 9, outputs: ["y", "running_mean"])
    unusedStatistic.proto.graph.output.removeLast()
    #expect(try unusedStatistic.imported().node("n").outputs.count == 1)
  }

  /// spatial=0 with one statistic per channel (MXNet's exports until 2020) is the per-channel BatchNorm
  /// onnxruntime computes; with statistics per activation (`[C, H, W]`) it is written out elementwise.
  @Test func batchNormalizationSpatialZero() throws {
    let mxnet = try Self.batchNorm(opset: 7, [Attr.int("spatial", 0), Attr.float("epsilon", 1e-3)]).imported()
    #expect(try mxnet.node("n").op == .batchNormalization(epsilon: 1e-3))
    let perActivation = try Self.model(opset: 7) {
      for name in ["scale", "bias", "mean", "var"] {
        $0.initializer(Tensors.floats(name, dims: [3, 4, 5], Array(repeating: 1, count: 60)))
      }
      $0.node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"], name: "n", [Attr.int("spatial", 0)])
    }.imported()
    #expect(try perActivation.node("n").op == .binary(.add))
    #expect(try perActivation.node("n.normalized").op == .binary(.div))
    #expect(!perActivation.graph.nodes.contains { if case .batchNormalization = $0.op { true } else { false } })
    let tooManyAxes = Self.model(opset: 7) {
      for name in ["scale", "bias", "mean", "var"] {
        $0.initializer(Tensors.floats(name, dims: [1, 3, 4, 5], Array(repeating: 1, count: 60)))
      }
      $0.node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"], name: "n", [Attr.int("spatial", 0)])
    }
    #expect(tooManyAxes.importError()?.message == "spatial=0 scale has rank 4, more than X's 3 axes after the batch")
  }

  @Test func dropoutFormsAgree() throws {
    let old = try Self.node(opset: 7) { $0.node("Dropout", ["x"], ["y"], name: "n", [Attr.float("ratio", 0.3)]) }
    let new = try Self.node(opset: 13) {
      $0.initializer(Tensors.floats("ratio", dims: [], [0.3]))
      $0.initializer(Tensors.raw("training", .bool, dims: [], bytes: [0]))
      $0.node("Dropout", ["x", "ratio", "training"], ["y", "mask"], name: "n")
    }
    #expect(old.node.op == .dropout && new.node.op == .dropout)
    #expect(old.node.inputs.count == 1 && new.node.inputs.count == 1)
  }

  @Test func dropoutInTrainingModeIsAnError() throws {
    let training = Self.model(opset: 13) {
      $0.initializer(Tensors.raw("training", .bool, dims: [], bytes: [1]))
      $0.node("Dropout", ["x", "", "training"], ["y"], name: "n")
    }
    #expect(training.importError()?.message == "training mode is not supported (training_mode is true)")
    let dynamic = Self.model(opset: 13) {
      $0.input("training", .bool, [])
      $0.node("Dropout", ["x", "", "training"], ["y"], name: "n")
    }
    #expect(dynamic.importError()?.message == "operand 'training_mode' of Dropout must be a constant scalar")
    let legacy = Self.model(opset: 7) { $0.node("Dropout", ["x"], ["y"], name: "n", [Attr.int("is_test", 0)]) }
    #expect(legacy.importError()?.message == "training mode is not supported (is_test=0)")
  }

  // MARK: - Gemm, Cast, Mod, Gelu, LayerNormalization

  @Test func gemmLegacyBroadcastIsAccepted() throws {
    let build: (Int, [Onnx_AttributeProto]) throws -> Node = { opset, extra in
      try Self.node(opset: opset, dims: [2, 3]) {
        $0.initializer(Tensors.floats("b", dims: [3, 4], Array(repeating: 1, count: 12)))
        $0.initializer(Tensors.floats("c", dims: [4], [1, 2, 3, 4]))
        $0.node("Gemm", ["x", "b", "c"], ["y"], name: "n", [Attr.float("alpha", 0.5), Attr.int("transB", 0)] + extra)
      }.node
    }
    let old = try build(7, [Attr.int("broadcast", 1)])
    let new = try build(13, [])
    #expect(old.op == .gemm(GemmAttributes(alpha: 0.5, beta: 1, transA: false, transB: false)))
    #expect(new.op == old.op)
  }

  @Test func castTargetsMapToElementTypes() throws {
    for dtype in DType.allCases {
      let cast = try Self.node(opset: 13) {
        $0.node("Cast", ["x"], ["y"], name: "n", [Attr.int("to", ONNXDataType.code(of: dtype))])
      }
      #expect(cast.node.op == .cast(to: dtype))
    }
    let bfloat = Self.model(opset: 13) {
      $0.node("Cast", ["x"], ["y"], name: "n", [Attr.int("to", Onnx_TensorProto.DataType.bfloat16.rawValue)])
    }
    #expect(bfloat.importError()?.message.hasPrefix("cast target: element type bfloat16 is not supported") == true)
  }

  @Test func modGeluAndLayerNormalizationAttributes() throws {
    let mod = try Self.node(opset: 13) {
      $0.node("Mod", ["x", "x"], ["y"], name: "n", [Attr.int("fmod", 1)])
    }
    #expect(mod.node.op == .binary(.mod(fmod: true)))
    let gelu = try Self.node(opset: 20) {
      $0.node("Gelu", ["x"], ["y"], name: "n", [Attr.string("approximate", "tanh")])
    }
    #expect(gelu.node.op == .unary(.gelu(.tanh)))
    let layerNorm = try Self.node(opset: 17) {
      $0.initializer(Tensors.floats("scale", dims: [5], [1, 1, 1, 1, 1]))
      $0.node("LayerNormalization", ["x", "scale"], ["y"], name: "n", [Attr.float("epsilon", 1e-6)])
    }
    #expect(layerNorm.node.op == .layerNormalization(LayerNormAttributes(axis: 3, epsilon: 1e-6)))
    #expect(layerNorm.node.outputs.count == 3)
    let stash = Self.model(opset: 17) {
      $0.initializer(Tensors.floats("scale", dims: [5], [1, 1, 1, 1, 1]))
      $0.node("LayerNormalization", ["x", "scale"], ["y"], name: "n", [Attr.int("stash_type", 11)])
    }
    #expect(stash.importError()?.message == "stash_type double is not supported (only float)")
  }

  // MARK: - Windows

  @Test func convKernelShapeDefaultsToTheWeightsSpatialDims() throws {
    let conv = try Self.node(opset: 11, dims: [1, 3, 8, 8]) {
      $0.initializer(Tensors.floats("w", dims: [4, 3, 3, 2], Array(repeating: 0, count: 72)))
      $0.node("Conv", ["x", "w"], ["y"], name: "n", [Attr.ints("strides", [2, 1]), Attr.ints("pads", [1, 0, 1, 0])])
    }
    #expect(
      conv.node.op
        == .conv(
          ConvAttributes(
            kernelShape: [3, 2], strides: [2, 1], dilations: [1, 1], padding: .explicit([1, 0, 1, 0]), group: 1)))
  }

  @Test func convWeightOfTheWrongRankIsAnErrorNamingTheNode() throws {
    let model = Self.model(opset: 17, dims: [1, 3, 8, 8]) {
      $0.initializer(Tensors.floats("w", dims: [4, 3, 3], Array(repeating: 1, count: 36)))
      $0.node("Conv", ["x", "w"], ["y"], name: "conv_bad_weight")
    }
    #expect(
      model.importError()
        == ModelError(node: "conv_bad_weight", opType: "Conv", "weight has rank 3, expected 4 (the input's rank)"))
  }

  @Test func shapeInferenceErrorsNameTheNode() throws {
    let convWithKernelShape = Self.model(opset: 17, dims: [1, 3, 8, 8]) {
      $0.initializer(Tensors.floats("w", dims: [4, 3, 3], Array(repeating: 1, count: 36)))
      $0.node("Conv", ["x", "w"], ["y"], name: "conv_bad_weight", [Attr.ints("kernel_shape", [3, 3])])
    }
    let convError = try #require(convWithKernelShape.importError())
    #expect(convError.node == "conv_bad_weight" && convError.opType == "Conv")
    #expect(convError.message.contains("rank 3"))

    let mixed = Self.model(opset: 17, dims: [1, 4]) {
      $0.initializer(Tensors.int64s("k", dims: [1, 4], [1, 1, 1, 1]))
      $0.node("Add", ["x", "k"], ["y"], name: "add_mixed")
    }
    let mixedError = try #require(mixed.importError())
    #expect(mixedError.node == "add_mixed" && mixedError.opType == "Add")
    #expect(mixedError.message.contains("int64"))
  }

  @Test func autoPadResolvesToExplicitPadsWhenSizesAreKnown() throws {
    func conv(_ autoPad: String, dims: [TestModel.DimSpec]) throws -> Padding? {
      let node = try Self.node(opset: 13, dims: dims) {
        $0.initializer(Tensors.floats("w", dims: [1, 1, 3, 3], Array(repeating: 0, count: 9)))
        $0.node(
          "Conv", ["x", "w"], ["y"], name: "n", [Attr.string("auto_pad", autoPad), Attr.ints("strides", [2, 2])])
      }.node
      guard case .conv(let attributes) = node.op else { return nil }
      return attributes.padding
    }
    // Input 8, stride 2 → output 4; window 3 needs (4-1)*2+3-8 = 1 pad: at the end for UPPER, start for LOWER.
    #expect(try conv("SAME_UPPER", dims: [1, 1, 8, 8]) == .explicit([0, 0, 1, 1]))
    #expect(try conv("SAME_LOWER", dims: [1, 1, 8, 8]) == .explicit([1, 1, 0, 0]))
    #expect(try conv("VALID", dims: [1, 1, 8, 8]) == .explicit([0, 0, 0, 0]))
    #expect(try conv("SAME_UPPER", dims: [1, 1, "H", "W"]) == .sameUpper)
    let bogus = Self.model(opset: 13, dims: [1, 1, 8, 8]) {
      $0.initializer(Tensors.floats("w", dims: [1, 1, 3, 3], Array(repeating: 0, count: 9)))
      $0.node("Conv", ["x", "w"], ["y"], name: "n", [Attr.string("auto_pad", "SAME")])
    }
    #expect(bogus.importError()?.message == "auto_pad 'SAME' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER")
  }

  @Test func maxPoolIndicesAreRejectedOnlyWhenUsed() throws {
    let used = Self.model(opset: 12) {
      $0.node("MaxPool", ["x"], ["y", "indices"], name: "n", [Attr.ints("kernel_shape", [2, 2])])
    }
    #expect(used.importError()?.message == "the Indices output ('indices') is not supported")
    var unused = used
    unused.proto.graph.output.removeLast()
    let node = try unused.imported().node("n")
    #expect(
      node.op
        == .maxPool(
          PoolAttributes(
            kernelShape: [2, 2], strides: [1, 1], dilations: [1, 1], padding: .explicit([0, 0, 0, 0]), ceilMode: false))
    )
    #expect(node.outputs.count == 1)

    let average = try Self.node(opset: 7) {
      $0.node(
        "AveragePool", ["x"], ["y"], name: "n",
        [Attr.ints("kernel_shape", [3, 3]), Attr.ints("strides", [2, 2]), Attr.int("count_include_pad", 1)])
    }
    #expect(
      average.node.op
        == .averagePool(
          PoolAttributes(
            kernelShape: [3, 3], strides: [2, 2], dilations: [1, 1], padding: .explicit([0, 0, 0, 0]), ceilMode: false,
            countIncludePad: true)))
  }

  // MARK: - Axes of data movement ops

  @Test func negativeAxesBecomeNonNegative() throws {
    let concat = try Self.node(opset: 13) { $0.node("Concat", ["x", "x"], ["y"], name: "n", [Attr.int("axis", -3)]) }
    #expect(concat.node.op == .concat(axis: 1))
    let gather = try Self.node(opset: 13) {
      $0.initializer(Tensors.int64s("i", [0]))
      $0.node("Gather", ["x", "i"], ["y"], name: "n", [Attr.int("axis", -1)])
    }
    #expect(gather.node.op == .gather(axis: 3))
    let flatten = try Self.node(opset: 13) { $0.node("Flatten", ["x"], ["y"], name: "n", [Attr.int("axis", -4)]) }
    #expect(flatten.node.op == .flatten(axis: 0))
    let flattenAll = try Self.node(opset: 9) { $0.node("Flatten", ["x"], ["y"], name: "n", [Attr.int("axis", 4)]) }
    #expect(flattenAll.node.op == .flatten(axis: 4))
    let transpose = try Self.node(opset: 13) { $0.node("Transpose", ["x"], ["y"], name: "n") }
    #expect(transpose.node.op == .transpose(perm: [3, 2, 1, 0]))
    let badPerm = Self.model(opset: 13) {
      $0.node("Transpose", ["x"], ["y"], name: "n", [Attr.ints("perm", [0, 1, 1, 2])])
    }
    #expect(badPerm.importError()?.message == "perm [0, 1, 1, 2] is not a permutation of the 4 axes")
  }

  @Test func shapeStartAndEndAreClamped() throws {
    let old = try Self.node(opset: 13) { $0.node("Shape", ["x"], ["y"], name: "n") }
    #expect(old.node.op == .shape(start: 0, end: nil))
    let sliced = try Self.node(opset: 15) {
      $0.node("Shape", ["x"], ["y"], name: "n", [Attr.int("start", -3), Attr.int("end", -1)])
    }
    #expect(sliced.node.op == .shape(start: 1, end: 3))
    let clamped = try Self.node(opset: 15) {
      $0.node("Shape", ["x"], ["y"], name: "n", [Attr.int("start", -10), Attr.int("end", 10)])
    }
    #expect(clamped.node.op == .shape(start: 0, end: nil))
  }

  @Test func constantOfShapeFillValue() throws {
    let defaulted = try Self.node(opset: 9) {
      $0.initializer(Tensors.int64s("s", [2, 2]))
      $0.node("ConstantOfShape", ["s"], ["y"], name: "n")
    }
    #expect(defaulted.node.op == .constantOfShape(ScalarValue(dtype: .float32, value: 0)))
    let filled = try Self.node(opset: 20) {
      $0.initializer(Tensors.int64s("s", [2, 2]))
      $0.node("ConstantOfShape", ["s"], ["y"], name: "n", [Attr.tensor("value", Tensors.int64s("", dims: [1], [7]))])
    }
    #expect(filled.node.op == .constantOfShape(ScalarValue(dtype: .int64, value: 7)))
  }

  // MARK: - Recurrent layers

  static func recurrent(
    _ opType: String, opset: Int, gates: Int, directions: Int, _ attributes: [Onnx_AttributeProto]
  ) -> TestModel {
    model(opset: opset, dims: [5, 1, 3]) {
      let hidden = 2
      $0.initializer(
        Tensors.floats(
          "W", dims: [directions, gates * hidden, 3], Array(repeating: 0.1, count: directions * gates * hidden * 3)))
      $0.initializer(
        Tensors.floats(
          "R", dims: [directions, gates * hidden, hidden],
          Array(repeating: 0.1, count: directions * gates * hidden * hidden)))
      $0.node(opType, ["x", "W", "R"], ["Y", "Y_h"], name: "n", attributes)
    }
  }

  @Test func lstmAttributes() throws {
    let node = try Self.recurrent(
      "LSTM", opset: 14, gates: 4, directions: 2,
      [
        Attr.string("direction", "bidirectional"),
        Attr.strings("activations", ["sigmoid", "LeakyRelu", "HardSigmoid"]),
        Attr.floats("activation_alpha", [0.3]), Attr.floats("activation_beta", [0.7]), Attr.float("clip", 5),
        Attr.int("input_forget", 1), Attr.int("layout", 0),
      ]
    ).imported().node("n")
    let gates: [RecurrentActivation] = [.sigmoid, .leakyRelu(alpha: 0.3), .hardSigmoid(alpha: 0.2, beta: 0.7)]
    #expect(
      node.op
        == .lstm(
          RecurrentAttributes(
            hiddenSize: 2, direction: .bidirectional, activations: gates + gates, clip: 5, inputForget: true)))
    #expect(node.outputs.count == 3)
  }

  @Test func gruDefaultsAndHiddenSizeFromR() throws {
    let node = try Self.recurrent("GRU", opset: 7, gates: 3, directions: 1, [Attr.int("linear_before_reset", 1)])
      .imported().node("n")
    #expect(
      node.op
        == .gru(
          RecurrentAttributes(
            hiddenSize: 2, direction: .forward, activations: [.sigmoid, .tanh], linearBeforeReset: true)))
    let wrongCount = Self.recurrent(
      "GRU", opset: 7, gates: 3, directions: 1, [Attr.strings("activations", ["Sigmoid", "Tanh", "Tanh"])])
    #expect(wrongCount.importError()?.message == "activations lists 3 functions, expected 2 (2 per direction)")
    let unknown = Self.recurrent(
      "GRU", opset: 7, gates: 3, directions: 1, [Attr.strings("activations", ["Swish", "Tanh"])])
    #expect(unknown.importError()?.message.hasPrefix("activation 'Swish' is not one of") == true)
  }

  // MARK: - Attribute errors

  @Test func attributeOfTheWrongTypeNamesTheNode() throws {
    let model = Self.model(opset: 13) { $0.node("Concat", ["x", "x"], ["y"], name: "joiner", [Attr.float("axis", 1)]) }
    #expect(
      model.importError()
        == ModelError(node: "joiner", opType: "Concat", "attribute 'axis' must be an int, got a float"))
  }

  @Test func missingRequiredAttributeNamesTheNode() throws {
    let model = Self.model(opset: 13) { $0.node("Concat", ["x", "x"], ["y"], name: "joiner") }
    #expect(model.importError() == ModelError(node: "joiner", opType: "Concat", "required attribute 'axis' is missing"))
    let pool = Self.model(opset: 13) { $0.node("MaxPool", ["x"], ["y"], name: "pool") }
    #expect(
      pool.importError() == ModelError(node: "pool", opType: "MaxPool", "required attribute 'kernel_shape' is missing"))
  }

  @Test func attributeMovedToAnInputIsAnErrorInNewerOpsets() throws {
    let reduce = Self.model(opset: 18) { $0.node("ReduceMean", ["x"], ["y"], name: "n", [Attr.ints("axes", [1])]) }
    #expect(reduce.importError()?.message == "attribute 'axes' is an input from opset 18 on")
    let clip = Self.model(opset: 11) { $0.node("Clip", ["x"], ["y"], name: "n", [Attr.float("min", 0)]) }
    #expect(clip.importError()?.message == "attribute 'min' is an input from opset 11 on")
    let pad = Self.model(opset: 11) {
      $0.node("Pad", ["x"], ["y"], name: "n", [Attr.ints("pads", [0, 0, 0, 0, 0, 0, 0, 0])])
    }
    #expect(pad.importError()?.message == "attribute 'pads' is an input from opset 11 on")
  }

  @Test func tooManyInputsForTheOpsetIsAnError() throws {
    let model = Self.model(opset: 10) {
      $0.initializer(Tensors.floats("lo", dims: [], [0]))
      $0.node("Clip", ["x", "lo"], ["y"], name: "n")
    }
    #expect(model.importError()?.message == "has 2 inputs, at most 1 expected at opset 10")
    let relu = Self.model(opset: 13) { $0.node("Relu", ["x", "x"], ["y"], name: "n") }
    #expect(relu.importError()?.message == "has 2 inputs, at most 1 expected")
  }
}
