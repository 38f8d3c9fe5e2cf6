import ResIR
import Testing

@testable import ResONNX

/// Attention (opset 23) written out as ONNX's function body (numbers: ONNX's 145 Attention node tests in
/// scope run through the reference evaluator and the runtime): the cache outputs under their ONNX names,
/// grouped-query heads, and one error per malformed input.
@Suite struct AttentionImportTests {
  static func model(
    q: [TestModel.DimSpec], kv: [TestModel.DimSpec], outputs: [String] = ["y"],
    _ attributes: [Onnx_AttributeProto] = []
  ) -> TestModel {
    var model = TestModel(opset: 23)
    model.input("q", .float, q)
    model.input("k", .float, kv)
    model.input("v", .float, kv)
    model.node("Attention", ["q", "k", "v"], outputs, name: "attend", attributes)
    for output in outputs where !output.isEmpty { model.output(output) }
    return model
  }

  @Test func presentKeyAndValueKeepTheirNames() throws {
    let imported = try Self.model(q: [1, 4, 3, 8], kv: [1, 2, 5, 8], outputs: ["y", "present_k", "present_v"])
      .imported()
    #expect(imported.graph.outputs.map { imported.graph.values[$0.index].name } == ["y", "present_k", "present_v"])
    #expect(imported.graph.type(of: imported.graph.outputs[1]) == TensorType(.float32, dims: [1, 2, 5, 8]))
    // Two query heads per key/value head.
    #expect(try imported.node("attend.k_repeated").op == .expand)
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.float32, dims: [1, 4, 3, 8]))
  }

  @Test func threeDimensionalInputsAreSplitIntoHeads() throws {
    let imported = try Self.model(
      q: [2, 3, 16], kv: [2, 5, 16], [Attr.int("q_num_heads", 4), Attr.int("kv_num_heads", 4)]
    ).imported()
    #expect(try imported.node("attend.q_by_head").op == .transpose(perm: [0, 2, 1, 3]))
    #expect(imported.graph.type(of: imported.graph.outputs[0]) == TensorType(.float32, dims: [2, 3, 16]))
  }

  @Test func malformedAttentionIsAnError() throws {
    let cases: [(TestModel, String)] = [
      (Self.model(q: [2, 3, 16], kv: [2, 5, 16]), "required attribute 'q_num_heads' is missing"),
      (Self.model(q: [1, 3, 3, 8], kv: [1, 2, 5, 8]), "3 query heads are not a multiple of 2 key/value heads"),
      (Self.model(q: [1, 4, 3, 8], kv: [1, 4, 5], []), "Q, K and V have ranks [4, 3, 3]; all 3 or all 4 expected"),
      (Self.model(q: [1, 4, 3, 8], kv: [1, 4, 5, 8], [Attr.int("qk_matmul_output_mode", 4)]),
       "qk_matmul_output_mode 4 is not one of 0, 1, 2, 3"),
      (Self.model(q: [1, 4, 3, 8], kv: [1, 4, 5, 8], [Attr.float("scale", -1)]),
       "scale -1.0 must be positive and finite"),
    ]
    for (model, message) in cases {
      #expect(model.importError()?.message == message, "\(message)")
    }
  }
}
