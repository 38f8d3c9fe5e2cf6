import Foundation
import ResIR

/// `fixtures/MANIFEST.json`: the committed model fixtures and what each declares, so the tests work from the
/// list of what must exist rather than from whatever happens to be on disk.
struct FixtureManifest: Decodable {
  struct Fixture: Decodable {
    var name: String
    /// The fixture's folder, relative to `fixtures/`.
    var path: String
    /// Every file of the fixture (relative to its folder) and its size in bytes.
    var files: [String: Int]
    var inputs: [Port]
    var outputs: [Port]
  }

  /// A graph input or output as the exporter declared it.
  struct Port: Decodable {
    var name: String
    var shape: [DeclaredDim]
  }

  /// A declared dimension: a size, or a symbol such as `batch`.
  enum DeclaredDim: Decodable, Equatable {
    case size(Int)
    case symbol(String)

    init(from decoder: Decoder) throws {
      let container = try decoder.singleValueContainer()
      if let size = try? container.decode(Int.self) {
        self = .size(size)
      } else {
        self = .symbol(try container.decode(String.self))
      }
    }
  }

  var fixtures: [Fixture]

  /// The repository's `fixtures/` folder.
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("fixtures").path

  static func load() throws -> FixtureManifest {
    let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/MANIFEST.json"))
    return try JSONDecoder().decode(FixtureManifest.self, from: data)
  }
}

extension FixtureManifest.Fixture {
  /// The fixture's folder on disk.
  var folder: String { FixtureManifest.folder + "/" + path }

  var modelPath: String { folder + "/model.onnx" }

  /// The manifest's files that are not on disk.
  var missingFiles: [String] {
    files.keys.sorted().filter { !FileManager.default.fileExists(atPath: folder + "/" + $0) }
  }

  /// The symbols the graph inputs declare (`batch`): the only symbols an inferred output may keep, since
  /// inference names symbolic sizes after the inputs'.
  var inputSymbols: Set<String> {
    Set(
      inputs.flatMap(\.shape).compactMap { dim in
        if case .symbol(let name) = dim { return name }
        return nil
      })
  }
}
