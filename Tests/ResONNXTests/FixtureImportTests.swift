import Foundation
import ResIR
import Testing

@testable import ResONNX

/// The repository's model fixtures (`fixtures/MANIFEST.json`: one per model family and export variant) are
/// all on disk, import, pass the verifier, have the output types of their reference outputs, and survive the
/// text form's print → parse → print unchanged; their JSON and DOT dumps render.
@Suite struct FixtureImportTests {
  static let fixtures = FixtureManifest.folder

  /// The type a reference output must have in the graph: the reference data's element type and sizes, except
  /// that an axis the manifest declares with a graph input's symbol (a dynamic batch, whose reference data
  /// has batch 2) must be that symbol.
  static func expectedType(
    of reference: Onnx_TensorProto, declared: FixtureManifest.Port?, inputSymbols: Set<String>
  ) -> TensorType? {
    guard let dtype = ONNXDataType.dtype(code: Int(reference.dataType)) else { return nil }
    let shape = reference.dims.enumerated().map { axis, size -> Dim in
      if let declared, axis < declared.shape.count, case .symbol(let symbol) = declared.shape[axis],
        inputSymbols.contains(symbol)
      {
        return .symbol(symbol)
      }
      return .known(Int(size))
    }
    return TensorType(dtype, shape)
  }

  /// Everything wrong with one fixture, as lines; empty when it passes.
  static func problems(with fixture: FixtureManifest.Fixture) throws -> [String] {
    let missing = fixture.missingFiles
    guard missing.isEmpty else { return ["listed in MANIFEST.json but missing on disk: \(missing)"] }
    let graph: Graph
    do {
      graph = try ONNXImporter.importModel(at: fixture.modelPath).graph
    } catch {
      return ["import failed: \(error)"]
    }
    var problems: [String] = []
    do {
      try Verifier.verify(graph)
    } catch {
      problems.append("verifier: \(error)")
    }
    for (position, output) in graph.outputs.enumerated() {
      let path = fixture.folder + "/test_data_set_0/output_\(position).pb"
      let reference = try Onnx_TensorProto(serializedBytes: try Data(contentsOf: URL(fileURLWithPath: path)))
      let declared = position < fixture.outputs.count ? fixture.outputs[position] : nil
      let expected = expectedType(of: reference, declared: declared, inputSymbols: fixture.inputSymbols)
      if graph.type(of: output) != expected {
        problems.append(
          "output \(position) is \(graph.type(of: output)), expected \(expected.map(String.init(describing:)) ?? "an IR type")"
        )
      }
    }
    // The exporters' shape arithmetic is all tracked: every size is a number or the input's symbol.
    if let vague = graph.values.first(where: { $0.type.shape.contains(.unknown) }) {
      problems.append("'\(vague.name)' has an unknown dimension: \(vague.type)")
    }
    return problems + roundTripProblems(graph) + dumpProblems(graph)
  }

  /// Print → parse → print must give the same text, and the parsed graph must verify.
  static func roundTripProblems(_ graph: Graph) -> [String] {
    let printed = TextFormat.print(graph)
    let parsed: Graph
    do {
      parsed = try TextFormat.parse(printed)
    } catch {
      return ["the printed text does not parse: \(error)"]
    }
    var problems: [String] = []
    let reprinted = TextFormat.print(parsed)
    if reprinted != printed {
      let (first, second) = (printed.split(separator: "\n"), reprinted.split(separator: "\n"))
      let line = first.indices.first { $0 >= second.count || first[$0] != second[$0] } ?? first.count
      problems.append("print → parse → print differs at line \(line + 1)")
    }
    do {
      try Verifier.verify(parsed)
    } catch {
      problems.append("the parsed graph does not verify: \(error)")
    }
    return problems
  }

  /// The JSON dump is valid JSON with one entry per node; the DOT dump is one digraph.
  static func dumpProblems(_ graph: Graph) -> [String] {
    var problems: [String] = []
    let json = (try? JSONSerialization.jsonObject(with: Data(JSONDump.render(graph).utf8))) as? [String: Any]
    if (json?["nodes"] as? [Any])?.count != graph.nodes.count {
      problems.append("the JSON dump is not an object with one entry per node in 'nodes'")
    }
    let dot = DOTDump.render(graph)
    if !dot.hasPrefix("digraph ") || !dot.hasSuffix("}\n") {
      problems.append("the DOT dump is not a digraph")
    }
    return problems
  }

  @Test func everyManifestFixtureImportsVerifiesAndRoundTrips() throws {
    let manifest = try FixtureManifest.load()
    #expect(manifest.fixtures.count >= 20, "MANIFEST.json lists only \(manifest.fixtures.count) fixtures")
    for fixture in manifest.fixtures {
      let problems = try Self.problems(with: fixture)
      #expect(problems.isEmpty, "\(fixture.name): \(problems.joined(separator: "; "))")
    }
  }

  /// A fixture folder the manifest does not list is a stale or unrecorded fixture.
  @Test func everyFixtureFolderIsInTheManifest() throws {
    let listed = try FixtureManifest.load().fixtures.map(\.path).sorted()
    let onDisk = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures + "/models").sorted()
      .map { "models/" + $0 }
    #expect(onDisk == listed)
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
