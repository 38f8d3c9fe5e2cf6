import Foundation
import ResCompiler
import ResReference
import ResRuntime
import SwiftProtobuf
import Testing

@testable import ResONNX

/// ONNX `Einsum` models, imported as Transpose/Reshape/MatMul chains, compiled at -O0 and -O2 and run by the
/// runtime, and evaluated by the reference evaluator: both must give what `NaiveEinsum` computes from the
/// definition. The cases cover every shape of the lowering: MaxViT's equations (spaces and all), attention,
/// broadcast batch dimensions, implicit outputs, vectors, reshaped groups, a permuted output, a symbolic batch.
@Suite struct EinsumExecutionTests {
  struct Case: CustomStringConvertible, Sendable {
    /// The equation as the model spells it.
    var equation: String
    /// What it means, spelled out for `NaiveEinsum`: letters only, ellipses and implicit outputs expanded.
    var terms: [String]
    var output: String
    var shapes: [[Int]]
    /// The dimensions the model declares as the symbol `N` (operand, axis); the runs bind it from the inputs.
    var symbolic: [(operand: Int, axis: Int)] = []

    var description: String { equation }
  }

  static let cases: [Case] = [
    Case(
      equation: "B G H I D, B G H J D -> B G H I J", terms: ["BGHID", "BGHJD"], output: "BGHIJ",
      shapes: [[1, 2, 2, 5, 4], [1, 2, 2, 6, 4]]),
    Case(
      equation: "B G H I J, B G H J D -> B G H I D", terms: ["BGHIJ", "BGHJD"], output: "BGHID",
      shapes: [[1, 2, 2, 5, 6], [1, 2, 2, 6, 4]]),
    Case(equation: "bhqd,bhkd->bhqk", terms: ["bhqd", "bhkd"], output: "bhqk", shapes: [[2, 3, 5, 8], [2, 3, 7, 8]]),
    Case(
      equation: "bhqd,bhkd->bhqk", terms: ["bhqd", "bhkd"], output: "bhqk", shapes: [[3, 2, 5, 8], [3, 2, 7, 8]],
      symbolic: [(0, 0), (1, 0)]),
    Case(equation: "bij,bjk->bik", terms: ["bij", "bjk"], output: "bik", shapes: [[3, 4, 5], [3, 5, 6]]),
    Case(
      equation: "...ij,...jk->...ik", terms: ["xyij", "yjk"], output: "xyik", shapes: [[2, 1, 3, 4], [5, 4, 6]]),
    Case(equation: "bij,bjk->bik", terms: ["bij", "bjk"], output: "bik", shapes: [[1, 4, 5], [3, 5, 6]]),
    Case(equation: "ij,jk", terms: ["ij", "jk"], output: "ik", shapes: [[4, 5], [5, 6]]),
    Case(equation: "i,i->", terms: ["i", "i"], output: "", shapes: [[7], [7]]),
    Case(equation: "ij,j->i", terms: ["ij", "j"], output: "i", shapes: [[4, 5], [5]]),
    Case(equation: "i,j->ij", terms: ["i", "j"], output: "ij", shapes: [[4], [5]]),
    Case(equation: "bij,bj->bi", terms: ["bij", "bj"], output: "bi", shapes: [[3, 4, 5], [3, 5]]),
    Case(equation: "ij->ji", terms: ["ij"], output: "ji", shapes: [[4, 5]]),
    Case(equation: "abcd,cde->abe", terms: ["abcd", "cde"], output: "abe", shapes: [[2, 3, 4, 5], [4, 5, 6]]),
    Case(
      equation: "abcd,cde->abe", terms: ["abcd", "cde"], output: "abe", shapes: [[2, 3, 4, 5], [4, 5, 6]],
      symbolic: [(0, 0)]),
    Case(equation: "ij,jk->ki", terms: ["ij", "jk"], output: "ki", shapes: [[4, 5], [5, 6]]),
    Case(equation: "jbi,kjb->bki", terms: ["jbi", "kjb"], output: "bki", shapes: [[5, 3, 4], [6, 5, 3]]),
  ]

  @Test(arguments: cases)
  func runsAsTheDefinitionSays(_ example: Case) throws {
    let folder = NSTemporaryDirectory() + "rescompile-einsum-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = folder + "/model.onnx"
    try Data(try Self.modelBytes(example)).write(to: URL(fileURLWithPath: path))

    let operands = example.shapes.enumerated().map { position, shape in
      NaiveEinsum.Tensor(shape: shape, values: Self.sample(count: shape.reduce(1, *), seed: position + 1))
    }
    let expected = NaiveEinsum.evaluate(example.terms, example.output, operands)
    let expectedTensor = ReferenceTensor(dtype: .float32, shape: expected.shape, doubles: expected.values)
    var inputs: [String: Constant] = [:]
    for (position, operand) in operands.enumerated() {
      inputs["x\(position)"] = Constant(dtype: .float32, dims: operand.shape, doubles: operand.values)
    }

    let model = try LoadedModel(contentsOf: path)
    let referenceInputs = inputs.mapValues { ReferenceTensor(constant: $0) }
    let reference = try ReferenceEvaluator.evaluate(model.graph, inputs: referenceInputs)
    #expect(PlanExecution.mismatch(reference, [expectedTensor], rtol: 1e-5, atol: 1e-5) == nil, "reference")
    let bindings = try model.dimensionBindings(matching: inputs)
    for level in [OptimizationLevel.none, .full] {
      let compiled = try model.compile(options: CompileOptions(dimensionBindings: bindings, optimization: level))
      let outputs = try Runner(try Plan(bytes: compiled.bytes)).run(constants: inputs)
      let actual = outputs.map { ReferenceTensor(constant: $0.value) }
      #expect(
        PlanExecution.mismatch(actual, [expectedTensor], rtol: 1e-4, atol: 1e-4) == nil, "-O\(level.rawValue)")
    }
  }

  /// Values in [-1, 1) from a fixed linear congruential sequence: the same inputs on every run.
  static func sample(count: Int, seed: Int) -> [Double] {
    var state = UInt64(seed) &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return (0..<count).map { _ in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 40) / Double(1 << 23) - 1
    }
  }

  /// One Einsum node over float inputs `x0`, `x1`… of the case's shapes, at opset 17.
  static func modelBytes(_ example: Case) throws -> [UInt8] {
    var model = Onnx_ModelProto()
    model.irVersion = 8
    var opset = Onnx_OperatorSetIdProto()
    opset.version = 17
    model.opsetImport = [opset]
    model.graph.name = "einsum"
    var node = Onnx_NodeProto()
    node.opType = "Einsum"
    node.name = "einsum"
    node.input = example.shapes.indices.map { "x\($0)" }
    node.output = ["y"]
    var equation = Onnx_AttributeProto()
    equation.name = "equation"
    equation.type = .string
    equation.s = Data(example.equation.utf8)
    node.attribute = [equation]
    model.graph.node = [node]
    model.graph.input = example.shapes.enumerated().map { position, shape in
      let dims: [Int?] = shape.enumerated().map { axis, size in
        example.symbolic.contains { $0 == (position, axis) } ? nil : size
      }
      return valueInfo("x\(position)", dims: dims)
    }
    var output = Onnx_ValueInfoProto()
    output.name = "y"
    model.graph.output = [output]
    return try model.serializedBytes()
  }

  /// A float tensor's declaration; nil dimensions are the symbol `N`.
  private static func valueInfo(_ name: String, dims: [Int?]) -> Onnx_ValueInfoProto {
    var info = Onnx_ValueInfoProto()
    info.name = name
    info.type.tensorType.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
    info.type.tensorType.shape.dim = dims.map { size in
      var dim = Onnx_TensorShapeProto.Dimension()
      if let size { dim.dimValue = Int64(size) } else { dim.dimParam = "N" }
      return dim
    }
    return info
  }
}
