import Foundation
import ResIR
import ResONNX
import ResReference
import ResTestSupport
import Testing

/// The repository's model fixtures (one per model family and export variant), imported and evaluated on their
/// test inputs, reproduce the outputs onnxruntime computed for them. onnxruntime accumulates in float32 in
/// its own order and the evaluator exactly, so the tolerance allows their drift through a whole network.
@Suite struct FixtureEvaluationTests {
  static let (rtol, atol) = (1e-4, 1e-5)

  static func problems(evaluating name: String) throws -> [String] {
    let folder = RepoPaths.fixtures + "/models/" + name
    let graph: Graph
    do {
      graph = try ONNXImporter.importModel(at: folder + "/model.onnx").graph
    } catch {
      return ["import failed: \(error)"]
    }
    let outputs: [ReferenceTensor]
    do {
      outputs = try ReferenceEvaluator.evaluate(graph, inputs: try ONNXTestData.inputs(of: folder))
    } catch {
      return ["evaluation failed: \(error)"]
    }
    return try ONNXTestData.compare(outputs, withExpectedIn: folder, rtol: rtol, atol: atol)
  }

  @Test func everyModelFixtureMatchesOnnxruntime() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: RepoPaths.fixtures + "/models").sorted()
    #expect(names.count >= 20, "fixtures/models holds only \(names.count) fixtures")
    for name in names {
      let problems = try Self.problems(evaluating: name)
      #expect(problems.isEmpty, "\(name): \(problems)")
    }
  }
}
