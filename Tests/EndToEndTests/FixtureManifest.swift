import Foundation
import ResTestSupport

/// The fixture names listed in fixtures/MANIFEST.json (empty when the manifest cannot be read, which the
/// suites report as a failure).
enum FixtureManifest {
  static let names: [String] = {
    guard let data = FileManager.default.contents(atPath: RepoPaths.fixtures + "/MANIFEST.json"),
      let manifest = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let entries = manifest["fixtures"] as? [[String: Any]]
    else { return [] }
    return entries.compactMap { $0["name"] as? String }.sorted()
  }()
}
