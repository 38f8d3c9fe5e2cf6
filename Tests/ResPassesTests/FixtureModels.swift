import Foundation
import ResIR
import ResONNX
import ResReference
import ResTestSupport
import Testing

/// The committed model fixtures (`fixtures/MANIFEST.json`) and their test inputs, for checking passes on real
/// exported networks.
struct FixtureModel: Decodable, Sendable, CustomTestStringConvertible {
  var name: String
  /// The fixture's folder, relative to `fixtures/`.
  var path: String

  var folder: String { RepoPaths.fixtures + "/" + path }
  var testDescription: String { name }

  /// Every fixture the manifest lists, in its order; empty when the manifest cannot be read (a test that
  /// takes these as arguments must also check that there are some).
  static func all() -> [FixtureModel] {
    struct Manifest: Decodable { var fixtures: [FixtureModel] }
    guard let data = try? Data(contentsOf: URL(fileURLWithPath: RepoPaths.fixtures + "/MANIFEST.json")) else {
      return []
    }
    return (try? JSONDecoder().decode(Manifest.self, from: data).fixtures) ?? []
  }

  func imported() throws -> Graph {
    try ONNXImporter.importModel(at: folder + "/model.onnx").graph
  }

  /// `test_data_set_0/input_K.pb` for the K-th graph input (the importer keeps the graph inputs that are not
  /// initializers, in order), by input name.
  func testInputs(for graph: Graph) throws -> [String: ReferenceTensor] {
    var inputs: [String: ReferenceTensor] = [:]
    for (position, input) in graph.inputs.enumerated() {
      let file = try ONNXTensorFile.read(at: folder + "/test_data_set_0/input_\(position).pb")
      inputs[graph[input].name] = ReferenceTensor(constant: file.value)
    }
    return inputs
  }
}
