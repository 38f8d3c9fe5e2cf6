import Foundation
import ResIR
import ResONNX
import ResReference
import ResTestSupport

/// The model fixtures of fixtures/MANIFEST.json, imported, with the inputs of their `test_data_set_0`.
struct FixtureData: Sendable, CustomStringConvertible {
  var name: String
  var description: String { name }

  /// Every fixture the manifest lists, in its order.
  static let all: [FixtureData] = {
    guard let data = FileManager.default.contents(atPath: RepoPaths.fixtures + "/MANIFEST.json"),
      let manifest = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let entries = manifest["fixtures"] as? [[String: Any]]
    else { return [] }
    return entries.compactMap { ($0["name"] as? String).map(FixtureData.init(name:)) }
  }()

  var folder: String { RepoPaths.fixtures + "/models/" + name }

  func graph() throws -> Graph {
    try ONNXImporter.importModel(at: folder + "/model.onnx").graph
  }

  /// `input_K.pb` by graph input: the tensor's own name when it carries one, else the K-th graph input (the
  /// importer lists only the inputs that are not initializers).
  func inputs(for graph: Graph) throws -> [String: ReferenceTensor] {
    var inputs: [String: ReferenceTensor] = [:]
    let names = graph.inputs.map { graph[$0].name }
    for (position, fallback) in names.enumerated() {
      let file = try ONNXTensorFile.read(at: folder + "/test_data_set_0/input_\(position).pb")
      let name = names.contains(file.name) ? file.name : fallback
      inputs[name] = ReferenceTensor(constant: file.value)
    }
    return inputs
  }
}
