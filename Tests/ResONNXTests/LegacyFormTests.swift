import ResIR
import Testing

@testable import ResONNX

/// Operator forms of opsets 1 to 6 and ImageScaler: each becomes the IR its modern form gives, and each way it
/// can be malformed is one error naming the node. fixtures/legacy runs the same forms against onnxruntime.
@Suite struct LegacyFormTests {
  typealias Version = OpVersionTests

  // MARK: - Binary broadcasting (opsets 1 to 6)

  /// B aligned at `axis` gets trailing unit axes: a channel bias on NCHW reads as [C, 1, 1].
  @Test func axisBroadcastAlignsBWithTrailingUnitAxes() throws {
    let imported = try Version.model(opset: 6) {
      $0.initializer(Tensors.floats("bias", dims: [3], [1, 2, 3]))
      $0.node("Add", ["x", "bias"], ["y"], name: "n", [Attr.int("broadcast", 1), Attr.int("axis", 1)])
    }.imported()
    let node = try imported.node("n")
    let aligned = try imported.node("n.aligned")
    #expect(aligned.op == .unsqueeze(axes: [1, 2]))
    #expect(node.op == .binary(.add) && node.inputs == [imported.graph.inputs[0], aligned.outputs[0]])
    #expect(imported.graph.type(of: node.outputs[0]) == TensorType(.float32, dims: [2, 3, 4, 5]))
  }

  /// A negative axis counts from A's last axis; B reaching A's last axis needs no unit axes.
  @Test func axisBroadcastWithNegativeAxisAndNoTrailingAxes() throws {
    let negative = try Version.node(opset: 6) {
      $0.initializer(Tensors.floats("b", dims: [3], [1, 2, 4]))
      $0.node("Div", ["x", "b"], ["y"], name: "n", [Attr.int("broadcast", 1), Attr.int("axis", -3)])
    }
    #expect(negative.graph.nodes.contains { $0.name == "n.aligned" && $0.op == .unsqueeze(axes: [1, 2]) })
    let trailing = try Version.node(opset: 6) {
      $0.initializer(Tensors.floats("b", dims: [4, 5], Array(repeating: 1, count: 20)))
      $0.node("Mul", ["x", "b"], ["y"], name: "n", [Attr.int("broadcast", 1), Attr.int("axis", 2)])
    }
    #expect(trailing.graph.nodes.count == 1 && trailing.node.op == .binary(.mul))
  }

  /// Without `axis`, or without `broadcast`, the legacy forms mean what numpy broadcasting means; from opset 7
  /// on the attributes do not exist and are not read.
  @Test(arguments: [(6, true), (6, false), (7, true)])
  func otherFormsAreNumpyBroadcasting(opset: Int, withAxis: Bool) throws {
    let result = try Version.node(opset: opset) {
      $0.initializer(Tensors.floats("b", dims: [5], [1, 2, 3, 4, 5]))
      let attributes = withAxis ? [Attr.int("axis", 1)] : [Attr.int("broadcast", 1)]
      $0.node("Sub", ["x", "b"], ["y"], name: "n", opset < 7 && withAxis ? [] : attributes)
    }
    #expect(result.graph.nodes.count == 1 && result.node.op == .binary(.sub))
  }

  @Test func bThatDoesNotFitFromAxisIsAnError() throws {
    let model = Version.model(opset: 6) {
      $0.initializer(Tensors.floats("b", dims: [3, 4], Array(repeating: 1, count: 12)))
      $0.node("Add", ["x", "b"], ["y"], name: "n", [Attr.int("broadcast", 1), Attr.int("axis", 3)])
    }
    #expect(
      model.importError()
        == ModelError(node: "n", opType: "Add", "B of rank 2 does not fit into A of rank 4 from axis 3"))
  }

  // MARK: - Attributes that became inputs or changed type

  @Test func reshapeShapeAttributeBecomesAnOperand() throws {
    let old = try Version.node(opset: 4) {
      $0.node("Reshape", ["x"], ["y"], name: "n", [Attr.ints("shape", [0, -1])])
    }
    let new = try Version.node(opset: 5) {
      $0.initializer(Tensors.int64s("shape", [0, -1]))
      $0.node("Reshape", ["x", "shape"], ["y"], name: "n")
    }
    #expect(old.node.op == new.node.op)
    #expect(Version.constantOperands(old.node, old.graph) == Version.constantOperands(new.node, new.graph))
    #expect(old.graph.type(of: old.node.outputs[0]) == TensorType(.float32, dims: [2, 60]))
    let moved = Version.model(opset: 5) {
      $0.initializer(Tensors.int64s("shape", [0, -1]))
      $0.node("Reshape", ["x", "shape"], ["y"], name: "n", [Attr.ints("shape", [0, -1])])
    }
    #expect(moved.importError()?.message == "attribute 'shape' is an input from opset 5 on")
  }

  @Test func concatAxisDefaultsToOneBeforeOpset4() throws {
    let old = try Version.node(opset: 3) { $0.node("Concat", ["x", "x"], ["y"], name: "n") }
    #expect(old.node.op == .concat(axis: 1))
    let required = Version.model(opset: 4) { $0.node("Concat", ["x", "x"], ["y"], name: "n") }
    #expect(required.importError()?.message == "required attribute 'axis' is missing")
  }

  @Test func castTargetIsATypeNameBeforeOpset6() throws {
    let old = try Version.node(opset: 5) { $0.node("Cast", ["x"], ["y"], name: "n", [Attr.string("to", "FLOAT16")]) }
    let new = try Version.node(opset: 6) { $0.node("Cast", ["x"], ["y"], name: "n", [Attr.int("to", 10)]) }
    #expect(old.node.op == .cast(to: .float16) && new.node.op == old.node.op)
    let unknown = Version.model(opset: 1) { $0.node("Cast", ["x"], ["y"], name: "n", [Attr.string("to", "REAL")]) }
    #expect(unknown.importError()?.message == "cast target 'REAL' is not a data type")
  }

  @Test func padCallsItsPadsPaddingsAtOpset1() throws {
    let pads = [0, 0, 1, 2, 0, 0, 3, 4]
    let old = try Version.node(opset: 1) { $0.node("Pad", ["x"], ["y"], name: "n", [Attr.ints("paddings", pads)]) }
    let new = try Version.node(opset: 2) { $0.node("Pad", ["x"], ["y"], name: "n", [Attr.ints("pads", pads)]) }
    #expect(old.node.op == .pad(mode: .constant, pads: pads) && new.node.op == old.node.op)
  }

  @Test func splitSizesMayBeAnInputAtOpset1() throws {
    let old = try Version.node(opset: 1) {
      $0.initializer(Tensors.int64s("sizes", [1, 2]))
      $0.node("Split", ["x", "sizes"], ["a", "b"], name: "n", [Attr.int("axis", 1)])
    }
    #expect(old.node.op == .split(axis: 1, sizes: [1, 2]) && old.node.inputs.count == 1)
    let both = Version.model(opset: 1) {
      $0.initializer(Tensors.int64s("sizes", [1, 2]))
      $0.node("Split", ["x", "sizes"], ["a", "b"], name: "n", [Attr.int("axis", 1), Attr.ints("split", [1, 2])])
    }
    #expect(both.importError()?.message == "split is given both as input and attribute")
    let later = Version.model(opset: 2) {
      $0.initializer(Tensors.int64s("sizes", [1, 2]))
      $0.node("Split", ["x", "sizes"], ["a", "b"], name: "n", [Attr.int("axis", 1)])
    }
    #expect(later.importError()?.message == "has 2 inputs, at most 1 expected at opset 2")
  }

  // MARK: - Training flags

  @Test func batchNormalizationWithIsTestZeroIsTraining() throws {
    let model = Version.model(opset: 6) {
      for name in ["scale", "shift", "mean", "var"] { $0.initializer(Tensors.floats(name, dims: [3], [1, 1, 1])) }
      $0.node(
        "BatchNormalization", ["x", "scale", "shift", "mean", "var"], ["y"], name: "n", [Attr.int("is_test", 0)])
    }
    #expect(model.importError()?.message == "training mode is not supported (is_test=0)")
    let inference = try Version.node(opset: 1) {
      for name in ["scale", "shift", "mean", "var"] { $0.initializer(Tensors.floats(name, dims: [3], [1, 1, 1])) }
      $0.node(
        "BatchNormalization", ["x", "scale", "shift", "mean", "var"], ["y"], name: "n",
        [Attr.int("is_test", 1), Attr.ints("consumed_inputs", [0, 0, 0, 1, 1])])
    }
    #expect(inference.node.op == .batchNormalization(epsilon: 1e-5))
  }

  // MARK: - ImageScaler

  @Test func imageScalerIsAScaleThenAChannelShift() throws {
    let imported = try Version.model(opset: 8) {
      $0.node("ImageScaler", ["x"], ["y"], name: "n", [Attr.float("scale", 0.5), Attr.floats("bias", [1, 2, 3])])
    }.imported()
    let scaled = try imported.node("n.scaled")
    let node = try imported.node("n")
    #expect(scaled.op == .binary(.mul) && node.op == .binary(.add) && node.inputs[0] == scaled.outputs[0])
    #expect(scaled.input(1).flatMap { imported.graph.constant($0) }?.doubles() == [0.5])
    let shift = try #require(node.input(1).flatMap { imported.graph.constant($0) })
    #expect(shift.dims == [1, 3, 1, 1] && shift.doubles() == [1, 2, 3])
    let mismatch = Version.model(opset: 8) {
      $0.node("ImageScaler", ["x"], ["y"], name: "n", [Attr.floats("bias", [1, 2])])
    }
    #expect(mismatch.importError()?.message == "bias has 2 values for 3 channels")
  }
}
