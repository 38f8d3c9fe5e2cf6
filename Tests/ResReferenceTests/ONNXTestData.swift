import Foundation
import ResIR
import ResReference

@testable import ResONNX

/// Reading ONNX test data (`test_data_set_0/input_K.pb`, `output_K.pb`: serialized `TensorProto`s, as ONNX's
/// backend tests and the fixtures store them) into reference tensors.
enum ONNXTestData {
  static func tensor(at path: String) throws -> ReferenceTensor {
    let proto = try Onnx_TensorProto(serializedBytes: try Data(contentsOf: URL(fileURLWithPath: path)))
    let decoder = TensorDecoder(file: nil, externalData: ExternalData(baseDirectory: nil))
    return ReferenceTensor(constant: try decoder.constant(from: proto, error: { ModelError("\(path): \($0)") }))
  }

  /// The test inputs of the model in `folder`, by graph input name: `input_K.pb` belongs to the K-th graph input
  /// that is not an initializer.
  static func inputs(of folder: String) throws -> [String: ReferenceTensor] {
    let loaded = try LoadedModel.load(path: folder + "/model.onnx")
    let initializers = Set(loaded.model.graph.initializer.map(\.name))
    let names = loaded.model.graph.input.map(\.name).filter { !initializers.contains($0) }
    var inputs: [String: ReferenceTensor] = [:]
    for (position, name) in names.enumerated() {
      inputs[name] = try tensor(at: folder + "/test_data_set_0/input_\(position).pb")
    }
    return inputs
  }

  /// Compares `outputs` with `output_K.pb`; integer and bool outputs must match exactly. Returns the problems.
  static func compare(_ outputs: [ReferenceTensor], withExpectedIn folder: String, rtol: Double, atol: Double)
    throws -> [String]
  {
    var problems: [String] = []
    for (position, actual) in outputs.enumerated() {
      let expected = try tensor(at: folder + "/test_data_set_0/output_\(position).pb")
      let exact = !expected.dtype.isFloatingPoint
      let comparison = ToleranceComparison(
        actual: actual, expected: expected, rtol: exact ? 0 : rtol, atol: exact ? 0 : atol)
      if !comparison.passed { problems.append("output \(position): \(comparison)") }
    }
    return problems
  }
}
