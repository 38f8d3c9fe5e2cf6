import ResIR
import Testing

@testable import ResONNX

/// Operators imported as compositions of existing IR ops (their numbers are checked by ONNX's node tests,
/// which run through the reference evaluator and the runtime): the structure each becomes, and one error per
/// way each can be malformed.
@Suite struct DecompositionImportTests {
  typealias Version = OpVersionTests

  @Test func seluIsAScaledElu() throws {
    let imported = try Version.model(opset: 17) {
      $0.node("Selu", ["x"], ["y"], name: "n", [Attr.float("alpha", 2), Attr.float("gamma", 3)])
    }.imported()
    #expect(try imported.node("n.elu").op == .unary(.elu(alpha: 2)))
    let node = try imported.node("n")
    #expect(node.op == .binary(.mul) && node.input(1).flatMap { imported.graph.constant($0) }?.doubles() == [3])
  }

  /// An infinite or NaN alpha takes Selu's branches term for term (`x > 0 ? x : alpha · (eˣ − 1)`): as a scaled
  /// Elu, x = 0 gave 0 where the definition (and onnxruntime) gives NaN.
  @Test func seluWithANonFiniteAlphaSelectsItsBranches() throws {
    for alpha in [Float.infinity, -Float.infinity, Float.nan] {
      let imported = try Version.model(opset: 17) {
        $0.node("Selu", ["x"], ["y"], name: "n", [Attr.float("alpha", alpha)])
      }.imported()
      #expect(try imported.node("n.positive").op == .binary(.compare(.greater)))
      #expect(try imported.node("n.selected").op == .where)
      #expect(try imported.node("n").op == .binary(.mul))
      #expect(imported.graph.nodes.allSatisfy { $0.name != "n.elu" })
    }
  }

  /// Celu is ONNX's formula term for term, `max(0, x) + min(0, alpha · (exp(x / alpha) − 1))`: as
  /// `alpha · elu(x / alpha)` a positive x came out infinite for alpha 1e-38 (found by fuzzing). Alpha 1 is Elu.
  @Test func celuIsItsPositiveAndNegativeParts() throws {
    let imported = try Version.model(opset: 17) {
      $0.node("Celu", ["x"], ["y"], name: "n", [Attr.float("alpha", 1e-38)])
    }.imported()
    #expect(try imported.node("n.positive").op == .variadic(.max))
    #expect(try imported.node("n.negative").op == .variadic(.min))
    #expect(try imported.node("n.exp").op == .unary(.exp))
    #expect(try imported.node("n").op == .binary(.add))
    let plain = try Version.node(opset: 17) { $0.node("Celu", ["x"], ["y"], name: "n") }
    #expect(plain.node.op == .unary(.elu(alpha: 1)))
  }

  @Test func logSoftmaxIsTheStableDifference() throws {
    let modern = try Version.model(opset: 13) { $0.node("LogSoftmax", ["x"], ["y"], name: "n") }.imported()
    #expect(try modern.node("n.max").op == .reduce(.max, axes: [3], keepDims: true))
    #expect(try modern.node("n.sum").op == .reduce(.sum, axes: [3], keepDims: true))
    let node = try modern.node("n")
    let shifted = try modern.node("n.shifted")
    #expect(node.op == .binary(.sub) && node.input(0) == shifted.outputs[0])
    // Before opset 13 the input is read as a matrix from `axis` (default 1) on.
    let legacy = try Version.model(opset: 11) { $0.node("LogSoftmax", ["x"], ["y"], name: "n") }.imported()
    #expect(try legacy.node("n.max").op == .reduce(.max, axes: [1, 2, 3], keepDims: true))
  }

  @Test func globalMaxPoolReducesEverySpatialAxis() throws {
    let pooled = try Version.node(opset: 17) { $0.node("GlobalMaxPool", ["x"], ["y"], name: "n") }
    #expect(pooled.node.op == .reduce(.max, axes: [2, 3], keepDims: true))
    let flat = Version.model(opset: 17, dims: [2, 3]) { $0.node("GlobalMaxPool", ["x"], ["y"], name: "n") }
    #expect(flat.importError()?.message == "input must have a batch, a channel and a spatial axis")
  }

  @Test func sizeOfAStaticInputIsKnownAtImport() throws {
    let imported = try Version.model(opset: 17) {
      $0.node("Size", ["x"], ["count"], name: "n")
      $0.node("Unsqueeze", ["count", "one_axis"], ["vector"], name: "u")
      $0.initializer(Tensors.int64s("one_axis", dims: [1], [0]))
      $0.node("Reshape", ["x", "vector"], ["y"], name: "flat")
    }.imported()
    #expect(imported.graph.type(of: try imported.node("flat").outputs[0]) == TensorType(.float32, dims: [120]))
  }

  @Test func activationsNeedAFloatInput() throws {
    for opType in ["Selu", "Celu", "Softsign", "ThresholdedRelu", "Mish", "LogSoftmax", "GlobalMaxPool"] {
      var model = TestModel(opset: 18)
      model.input("x", .int64, [2, 3, 4])
      model.node(opType, ["x"], ["y"], name: "n")
      model.output("y", .int64)
      #expect(model.importError()?.message == "input is int64 but must be a float type", "\(opType)")
    }
  }

  // MARK: - GroupNormalization, logic, CastLike

  /// Opset 21 scales per channel after restoring X's shape; opset 18 per group, before.
  @Test(arguments: [(18, 2), (21, 4)])
  func groupNormalizationScalesPerGroupOrPerChannel(opset: Int, scaleCount: Int) throws {
    let imported = try Version.model(opset: opset, dims: [1, 4, 3, 3]) {
      $0.initializer(Tensors.floats("scale", dims: [scaleCount], Array(repeating: 2, count: scaleCount)))
      $0.initializer(Tensors.floats("bias", dims: [scaleCount], Array(repeating: 1, count: scaleCount)))
      $0.node("GroupNormalization", ["x", "scale", "bias"], ["y"], name: "n", [Attr.int("num_groups", 2)])
    }.imported()
    #expect(try imported.node("n.mean").op == .reduceMean(axes: [2], keepDims: true))
    let grouped = try imported.node("n.grouped").outputs[0]
    #expect(imported.graph.type(of: grouped) == TensorType(.float32, dims: [1, 2, 18]))
    let scaleName = opset < 21 ? "n.scale_groups" : "n.scale_channels"
    #expect(try imported.node(scaleName).op == .unsqueeze(axes: opset < 21 ? [1] : [1, 2]))
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.float32, dims: [1, 4, 3, 3]))
    let uneven = Version.model(opset: opset, dims: [1, 4, 3, 3]) {
      $0.initializer(Tensors.floats("scale", dims: [scaleCount], Array(repeating: 2, count: scaleCount)))
      $0.initializer(Tensors.floats("bias", dims: [scaleCount], Array(repeating: 1, count: scaleCount)))
      $0.node("GroupNormalization", ["x", "scale", "bias"], ["y"], name: "n", [Attr.int("num_groups", 3)])
    }
    #expect(uneven.importError()?.message == "4 channels do not divide into 3 groups")
  }

  @Test func logicalOpsAreWhereAndEqual() throws {
    func imported(_ opType: String) throws -> ImportedModel {
      var model = TestModel(opset: 17)
      model.input("a", .bool, [2, 3])
      model.input("b", .bool, [3])
      model.node(opType, ["a", "b"], ["y"], name: "n")
      model.output("y", .bool)
      return try model.imported()
    }
    #expect(try imported("And").node("n").op == .where)
    #expect(try imported("Or").node("n").op == .where)
    let xor = try imported("Xor")
    #expect(try xor.node("n.same").op == .binary(.equal) && (try xor.node("n")).op == .binary(.equal))
    var numbers = TestModel(opset: 17)
    numbers.input("a", .float, [2])
    numbers.node("And", ["a", "a"], ["y"], name: "n")
    numbers.output("y", .bool)
    #expect(numbers.importError()?.message == "inputs must be bool, not float")
  }

  @Test func castLikeCastsToTheSecondInputsType() throws {
    var model = TestModel(opset: 15)
    model.input("x", .float, [2])
    model.input("like", .int32, [1])
    model.node("CastLike", ["x", "like"], ["y"], name: "n")
    model.output("y", .int32)
    let node = try model.imported().node("n")
    #expect(node.op == .cast(to: .int32) && node.inputs.count == 1)
  }

  @Test func rmsNormalizationAveragesSquaresFromTheAxisOn() throws {
    let imported = try Version.model(opset: 23) {
      $0.initializer(Tensors.floats("scale", dims: [4, 5], Array(repeating: 1, count: 20)))
      $0.node("RMSNormalization", ["x", "scale"], ["y"], name: "n", [Attr.int("axis", -2)])
    }.imported()
    #expect(try imported.node("n.mean_square").op == .reduceMean(axes: [2, 3], keepDims: true))
    #expect(try imported.node("n").op == .binary(.mul))
  }

  /// Without keepdims the maximum added back is reduced a second time, to the sum's shape.
  @Test func logSumExpAddsBackTheMaximum() throws {
    let imported = try Version.model(opset: 18) {
      $0.node("ReduceLogSumExp", ["x"], ["y"], name: "n", [Attr.int("keepdims", 0)])
    }.imported()
    #expect(try imported.node("n.max").op == .reduce(.max, axes: nil, keepDims: true))
    #expect(try imported.node("n.max_reduced").op == .reduce(.max, axes: nil, keepDims: false))
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.float32, dims: []))
  }

  @Test func isInfDetectingNothingIsFalseInTheInputsShape() throws {
    var model = TestModel(opset: 20)
    model.input("x", .float, [2, 3])
    model.node("IsInf", ["x"], ["y"], name: "n", [Attr.int("detect_positive", 0), Attr.int("detect_negative", 0)])
    model.output("y", .bool)
    let imported = try model.imported()
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.bool, dims: [2, 3]))
  }

  /// LeViT's lookup: a [6, 4] table, [3, 3, 1] indices: one Gather of rows, the positions folded from constants.
  @Test func gatherNDOfConstantIndicesIsAGatherOfRows() throws {
    let imported = try Version.model(opset: 18, dims: [6, 4]) {
      $0.initializer(Tensors.int64s("idx", dims: [3, 3, 1], [0, 1, 2, 3, 4, 5, -1, -2, -6]))
      $0.node("GatherND", ["x", "idx"], ["y"], name: "n")
    }.imported()
    #expect(try imported.node("n").op == .gather(axis: 0))
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.float32, dims: [3, 3, 4]))
    let deep = Version.model(opset: 18, dims: [6, 4]) {
      $0.initializer(Tensors.int64s("idx", dims: [1, 3], [0, 1, 2]))
      $0.node("GatherND", ["x", "idx"], ["y"], name: "n")
    }
    #expect(
      deep.importError()?.message
        == "indices i64[1,3] with batch_dims 0 do not fit data f32[6,4], whose shape must be known")
  }

  @Test func scatterElementsIsScatterNDOfCoordinateTuples() throws {
    let imported = try Version.model(opset: 18, dims: [3, 4]) {
      $0.initializer(Tensors.int64s("idx", dims: [2, 2], [0, -1, 2, 1]))
      $0.initializer(Tensors.floats("upd", dims: [2, 2], [1, 2, 3, 4]))
      $0.node(
        "ScatterElements", ["x", "idx", "upd"], ["y"], name: "n",
        [Attr.int("axis", 1), Attr.string("reduction", "add")])
    }.imported()
    #expect(try imported.node("n").op == .scatterND(.add))
    let tuples = try imported.node("n.tuples").outputs[0]
    #expect(imported.graph.type(of: tuples) == TensorType(.int64, dims: [2, 2, 2]))
    let unknown = Version.model(opset: 18, dims: [3, 4]) {
      $0.input("idx", .int64, [2, "k"])
      $0.initializer(Tensors.floats("upd", dims: [2, 2], [1, 2, 3, 4]))
      $0.node("ScatterElements", ["x", "idx", "upd"], ["y"], name: "n")
    }
    #expect(
      unknown.importError()?.message
        == "indices i64[2,k] must be integers of data's rank with a known shape, and axis 0 known")
  }

  /// Per-axis scales broadcast along `axis`; the result has the zero point's type.
  @Test func quantizeLinearPerAxisRoundsAndSaturates() throws {
    let imported = try Version.model(opset: 13, dims: [1, 3, 2, 2]) {
      $0.initializer(Tensors.floats("scale", dims: [3], [0.5, 1, 2]))
      $0.initializer(Tensors.raw("zero", .int8, dims: [3], bytes: [0, 1, 255]))
      $0.node("QuantizeLinear", ["x", "scale", "zero"], ["q"], name: "n", [Attr.int("axis", 1)])
    }.imported()
    #expect(try imported.node("n.scale_along_axis").op == .unsqueeze(axes: [0, 2, 3]))
    #expect(try imported.node("n.level").op == .unary(.round))
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.int8, dims: [1, 3, 2, 2]))
    let blocked = Version.model(opset: 21, dims: [1, 4]) {
      $0.initializer(Tensors.floats("scale", dims: [1, 2], [0.5, 1]))
      $0.node("DequantizeLinear", ["x", "scale"], ["y"], name: "n", [Attr.int("block_size", 2)])
    }
    #expect(blocked.importError()?.message == "blocked quantization (block_size) is not supported")
  }

  @Test func oneHotNeedsAKnownDepth() throws {
    var model = TestModel(opset: 11)
    model.input("i", .int64, [3])
    model.input("depth", .int64, [])
    model.initializer(Tensors.floats("values", dims: [2], [0, 1]))
    model.node("OneHot", ["i", "depth", "values"], ["y"], name: "n")
    model.output("y")
    #expect(model.importError()?.message == "depth must be a known scalar between 1 and 2^24")
    var known = TestModel(opset: 11)
    known.input("i", .int64, [3])
    known.initializer(Tensors.int64s("depth", dims: [], [5]))
    known.initializer(Tensors.floats("values", dims: [2], [0, 1]))
    known.node("OneHot", ["i", "depth", "values"], ["y"], name: "n", [Attr.int("axis", 0)])
    known.output("y")
    let imported = try known.imported()
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.float32, dims: [5, 3]))
  }

  // MARK: - Tile

  @Test func tileInterleavesRepeatsWithTheAxes() throws {
    let imported = try Version.model(opset: 13, dims: [2, 3]) {
      $0.initializer(Tensors.int64s("repeats", [3, 1]))
      $0.node("Tile", ["x", "repeats"], ["y"], name: "n")
    }.imported()
    #expect(try imported.node("n.pairs").op == .unsqueeze(axes: [0, 2]))
    #expect(try imported.node("n.expanded").op == .expand)
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.float32, dims: [6, 3]))
    let unchanged = try Version.node(opset: 13, dims: [2, 3]) {
      $0.initializer(Tensors.int64s("repeats", [1, 1]))
      $0.node("Tile", ["x", "repeats"], ["y"], name: "n")
    }
    #expect(unchanged.node.op == .identity)
  }

  @Test(arguments: [([2], "repeats has 1 entries for an input of rank 2"), ([2, -1], "repeats entry -1 is negative")])
  func malformedRepeatsAreErrors(repeats: [Int], message: String) throws {
    let model = Version.model(opset: 13, dims: [2, 3]) {
      $0.initializer(Tensors.int64s("repeats", repeats))
      $0.node("Tile", ["x", "repeats"], ["y"], name: "n")
    }
    #expect(model.importError() == ModelError(node: "n", opType: "Tile", message))
  }

  // MARK: - DepthToSpace, SpaceToDepth

  @Test(arguments: [("DCR", [0, 3, 4, 1, 5, 2]), ("CRD", [0, 1, 4, 2, 5, 3])])
  func depthToSpaceModes(mode: String, order: [Int]) throws {
    let imported = try Version.model(opset: 13, dims: ["N", 8, 3, 5]) {
      $0.node("DepthToSpace", ["x"], ["y"], name: "n", [Attr.int("blocksize", 2), Attr.string("mode", mode)])
    }.imported()
    #expect(try imported.node("n.moved").op == .transpose(perm: order))
    #expect(imported.graph.type(of: imported.graph.outputs[0]).shape.dropFirst().map(\.value) == [2, 6, 10])
  }

  @Test func spaceToDepthInvertsDepthToSpace() throws {
    let imported = try Version.model(opset: 13, dims: [1, 2, 4, 6]) {
      $0.node("SpaceToDepth", ["x"], ["y"], name: "n", [Attr.int("blocksize", 2)])
    }.imported()
    #expect(try imported.node("n.moved").op == .transpose(perm: [0, 3, 5, 1, 2, 4]))
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.float32, dims: [1, 8, 2, 3]))
  }

  @Test func malformedBlockRearrangementsAreErrors() throws {
    let cases: [(String, [TestModel.DimSpec], [Onnx_AttributeProto], String)] = [
      ("DepthToSpace", [1, 6, 2, 2], [Attr.int("blocksize", 2)], "6 channels do not divide into blocks of 2x2"),
      ("DepthToSpace", [1, 8, 2, 2], [Attr.int("blocksize", 2), Attr.string("mode", "XYZ")],
       "mode 'XYZ' is not one of DCR, CRD"),
      ("DepthToSpace", [1, "C", 2, 2], [Attr.int("blocksize", 2)], "axis 1 of the input has no known size (C)"),
      ("SpaceToDepth", [1, 2, 5, 4], [Attr.int("blocksize", 2)], "spatial size 5x4 does not divide into blocks of 2x2"),
      ("SpaceToDepth", [1, 2, 4, 4], [Attr.int("blocksize", 0)], "blocksize 0 is not between 1 and 4096"),
      ("SpaceToDepth", [1, 2, 4], [Attr.int("blocksize", 2)], "input must be NCHW (rank 4), not rank 3"),
    ]
    for (opType, dims, attributes, message) in cases {
      let model = Version.model(opset: 13, dims: dims) { $0.node(opType, ["x"], ["y"], name: "n", attributes) }
      #expect(model.importError()?.message == message, "\(opType) \(dims)")
    }
  }
}
