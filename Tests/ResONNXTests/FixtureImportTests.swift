import Foundation
import ResIR
import Testing

@testable import ResONNX

/// The repository's model fixtures (fixtures/models: one per model family and export variant) import,
/// pass the verifier, and have the output types of their reference outputs.
@Suite struct FixtureImportTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("fixtures").path

  static func modelNames() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: fixtures + "/models").sorted()
  }

  /// A dimension of a reference output matches a known inferred dimension of the same size, or a symbol
  /// (the dynamic-batch fixtures' reference data has batch 2).
  static func matches(_ inferred: TensorType, _ reference: Onnx_TensorProto) -> Bool {
    inferred.dtype == ONNXDataType.dtype(code: Int(reference.dataType)) && inferred.rank == reference.dims.count
      && zip(inferred.shape, reference.dims).allSatisfy { dim, size in
        switch dim {
        case .known(let value): value == Int(size)
        case .symbol: true
        case .unknown: false
        }
      }
  }

  static func problems(importing name: String) throws -> [String] {
    let folder = fixtures + "/models/" + name
    let imported: ImportedModel
    do {
      imported = try ONNXImporter.importModel(at: folder + "/model.onnx")
    } catch {
      return ["import failed: \(error)"]
    }
    var problems: [String] = []
    do {
      try Verifier.verify(imported.graph)
    } catch {
      problems.append("verifier: \(error)")
    }
    for (position, output) in imported.graph.outputs.enumerated() {
      let path = folder + "/test_data_set_0/output_\(position).pb"
      let reference = try Onnx_TensorProto(serializedBytes: try Data(contentsOf: URL(fileURLWithPath: path)))
      let inferred = imported.graph.type(of: output)
      if !matches(inferred, reference) {
        problems.append("output \(position) is \(inferred), reference has dims \(reference.dims)")
      }
    }
    return problems
  }

  @Test func everyModelFixtureImportsAndVerifies() throws {
    let names = try Self.modelNames()
    #expect(names.count >= 20, "fixtures/models holds only \(names.count) fixtures")
    for name in names {
      let problems = try Self.problems(importing: name)
      #expect(problems.isEmpty, "\(name): \(problems)")
    }
  }

  @Test func initializersListedAsInputsAreConstants() throws {
    let imported = try ONNXImporter.importModel(
      at: Self.fixtures + "/models/resnet_basic_initializers_as_inputs/model.onnx")
    #expect(imported.graph.inputs.count == 1)
    #expect(imported.irVersion == 4)
  }

  @Test func dynamicBatchStaysSymbolic() throws {
    let imported = try ONNXImporter.importModel(at: Self.fixtures + "/models/resnet_basic_dynamic_batch/model.onnx")
    let output = try #require(imported.graph.outputs.first)
    #expect(imported.graph.type(of: output).shape.first == .symbol("batch"))
  }

  @Test func externalDataFixtureBorrowsItsWeights() throws {
    let imported = try ONNXImporter.importModel(
      at: Self.fixtures + "/models/resnet_bottleneck_external_data/model.onnx")
    #expect(!imported.graph.liveConstants().isEmpty)
  }
}
