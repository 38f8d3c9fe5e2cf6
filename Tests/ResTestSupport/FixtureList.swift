import Foundation

/// The committed fixtures as `fixtures/MANIFEST.json` lists them: enough to compile each one (its model path
/// and the symbolic input dimensions that need a value).
public struct FixtureEntry: Sendable, CustomStringConvertible {
  public var name: String
  public var modelPath: String
  /// Symbolic input dimensions (`batch`), sorted; plans need a value for each.
  public var symbols: [String]

  public var description: String { name }

  /// `--dim NAME=1` for each symbolic dimension.
  public var dimArguments: [String] { symbols.flatMap { ["--dim", "\($0)=1"] } }

  /// Every fixture of the manifest, in its order; empty when the manifest cannot be read (tests taking these as
  /// arguments also check that there are some, so a missing manifest fails).
  public static func all() -> [FixtureEntry] {
    struct Manifest: Decodable {
      struct Input: Decodable { var shape: [Dimension] }
      struct Fixture: Decodable {
        var name: String
        var path: String
        var inputs: [Input]
      }
      var fixtures: [Fixture]
    }
    guard let data = FileManager.default.contents(atPath: RepoPaths.fixtures + "/MANIFEST.json"),
      let manifest = try? JSONDecoder().decode(Manifest.self, from: data)
    else { return [] }
    return manifest.fixtures.map { fixture in
      let symbols = Set(fixture.inputs.flatMap { $0.shape.compactMap(\.symbol) })
      return FixtureEntry(
        name: fixture.name, modelPath: "\(RepoPaths.fixtures)/\(fixture.path)/model.onnx", symbols: symbols.sorted())
    }
  }

  /// A manifest shape entry: a size or a symbol.
  private enum Dimension: Decodable {
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

    var symbol: String? {
      if case .symbol(let name) = self { return name }
      return nil
    }
  }
}
