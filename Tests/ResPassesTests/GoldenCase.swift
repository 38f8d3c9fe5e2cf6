import Foundation
import ResIR
import ResTestSupport
import Testing

/// One golden pass test: a text file holding the passes to run, an input graph, and the expected result.
///
/// ```
/// // passes: fold-batchnorm, dead-code
/// // must-not-fire: the BN output is a graph output        (optional: the passes must change nothing)
/// graph "case" { ... }                 (input)
/// // expected:
/// graph "case" { ... }                 (the printed result)
/// ```
/// Files live in Tests/PassGolden/<area>/<case>.ir, outside the test target so SwiftPM does not treat them as
/// resources.
struct GoldenCase: CustomTestStringConvertible, Sendable {
  static let directory = RepoPaths.root + "/Tests/PassGolden"
  static let separator = "// expected:"

  var path: String
  var passes: [String]
  /// Set when the case documents a guard: the passes must leave the graph exactly as it was.
  var mustNotFire: String?
  var input: String
  var expected: String

  var testDescription: String { String(path.dropFirst(GoldenCase.directory.count + 1)) }

  /// Every case file, sorted.
  static func all() -> [GoldenCase] {
    let files = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
    return files.filter { $0.hasSuffix(".ir") }.sorted().map { file in
      let path = "\(directory)/\(file)"
      let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
      return GoldenCase(path: path, text: text)
    }
  }

  init(path: String, text: String) {
    self.path = path
    let header = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
    let names = header.hasPrefix("// passes:") ? header.dropFirst("// passes:".count) : ""
    passes = names.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let marker = "// must-not-fire:"
    mustNotFire = text.split(separator: "\n").first { $0.hasPrefix(marker) }
      .map { $0.dropFirst(marker.count).trimmingCharacters(in: .whitespaces) }
    let parts = text.components(separatedBy: GoldenCase.separator + "\n")
    input = parts.first ?? ""
    expected = parts.count > 1 ? parts[1] : ""
  }

  /// The file with `expected` replaced (RECORD_GOLDEN=1).
  func recorded(_ newExpected: String) -> String {
    input + GoldenCase.separator + "\n" + newExpected
  }
}
