/// Where the tests find the repository's files, derived from this source file's location so that tests work
/// from any working directory (SwiftPM, an IDE, CI's fresh clone).
public enum RepoPaths {
  /// The repository root: this file is `<root>/Tests/ResTestSupport/RepoPaths.swift`.
  public static let root: String = {
    var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
  }()

  public static var fixtures: String { "\(root)/fixtures" }

  /// ONNX's backend node tests, which CI provides next to the checkout (`../shared/onnx-node`).
  public static var nodeTests: String { "\(root)/../shared/onnx-node" }

  /// `fixtures/models/NAME/model.onnx`.
  public static func fixtureModel(_ name: String) -> String { "\(fixtures)/models/\(name)/model.onnx" }
}
