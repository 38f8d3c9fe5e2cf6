import ResIR
import Testing

@testable import ResONNX

/// How the types a model declares meet shape inference: a graph output's must agree, a value_info annotation
/// refines a dim where it can and is set aside, with a line for the user, where it contradicts.
struct DeclaredTypeTests {
  /// x → Relu → r → Relu → y, with `annotation` as r's value_info and y declared `output`.
  static func chain(annotation: [TestModel.DimSpec]?, output: [TestModel.DimSpec] = [1, 4, 8, 8]) -> TestModel {
    var model = TestModel()
    model.input("x", .float, [1, 4, 8, 8])
    model.node("Relu", ["x"], ["r"], name: "first")
    model.node("Relu", ["r"], ["y"], name: "second")
    model.output("y", .float, output)
    if let annotation { model.proto.graph.valueInfo.append(TestModel.valueInfo("r", .float, annotation)) }
    return model
  }

  @Test func agreeingAnnotationLeavesNothingToReport() throws {
    let imported = try Self.chain(annotation: [1, 4, 8, 8]).imported()
    #expect(imported.ignoredDeclarations.isEmpty)
  }

  /// jax2onnx declares the channels-last shape on the NCHW result of a Conv it wraps in Transposes;
  /// onnxruntime warns and runs the model. The ops decide the type; the annotation is reported, not obeyed.
  @Test func contradictingAnnotationIsIgnoredAndReported() throws {
    let imported = try Self.chain(annotation: [1, 8, 8, 4]).imported()
    let relu = try #require(imported.graph.nodes.first { $0.name == "first" })
    #expect(imported.graph.type(of: relu.outputs[0]) == TensorType(.float32, dims: [1, 4, 8, 8]))
    #expect(
      imported.ignoredDeclarations == [
        "node 'first' (Relu): value_info of 'r' ignored: declared type f32[1,8,8,4] disagrees with inferred "
          + "f32[1,4,8,8] on axis 1"
      ])
  }

  @Test func annotationOfAnotherRankOrTypeIsIgnoredToo() throws {
    #expect(try Self.chain(annotation: [1, 256]).imported().ignoredDeclarations.count == 1)
    var halves = Self.chain(annotation: nil)
    halves.proto.graph.valueInfo.append(TestModel.valueInfo("r", .float16, [1, 4, 8, 8]))
    #expect(try halves.imported().ignoredDeclarations.first?.contains("element type float16") == true)
  }

  @Test func contradictingGraphOutputIsAnError() throws {
    let error = Self.chain(annotation: nil, output: [1, 8, 8, 4]).importError()
    #expect(
      error?.message == "output 'y': declared type f32[1,8,8,4] disagrees with inferred f32[1,4,8,8] on axis 1")
    #expect(error?.node == "second")
  }
}
