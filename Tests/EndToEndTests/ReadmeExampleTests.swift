import Foundation
import ResCompiler
import ResReference
import ResTestSupport
import Testing

/// README.md's runtime example is real code: the snippet is `ReadmeExample.swift` word for word, and running
/// it on a compiled fixture gives onnxruntime's output.
@Suite struct ReadmeExampleTests {
  static let (begin, end) = ("// README example begin\n", "// README example end\n")

  /// The text of `ReadmeExample.swift` between its marker lines.
  static func compiledExample() throws -> String {
    let path = RepoPaths.root + "/Tests/EndToEndTests/ReadmeExample.swift"
    let source = try String(contentsOfFile: path, encoding: .utf8)
    let start = try #require(source.range(of: begin)).upperBound
    let stop = try #require(source.range(of: end, range: start..<source.endIndex)).lowerBound
    return String(source[start..<stop])
  }

  /// The ```swift block of README.md that follows the `<!-- README example -->` comment.
  static func readmeExample() throws -> String {
    let readme = try String(contentsOfFile: RepoPaths.root + "/README.md", encoding: .utf8)
    let marker = try #require(readme.range(of: "<!-- README example: Tests/EndToEndTests/ReadmeExample.swift -->\n"))
    let fence = try #require(readme.range(of: "```swift\n", range: marker.upperBound..<readme.endIndex))
    #expect(readme[marker.upperBound..<fence.lowerBound].isEmpty, "the code block must follow the marker")
    let close = try #require(readme.range(of: "```\n", range: fence.upperBound..<readme.endIndex))
    return String(readme[fence.upperBound..<close.lowerBound])
  }

  @Test func theReadmeSnippetIsTheCompiledExample() throws {
    #expect(try Self.readmeExample() == Self.compiledExample())
  }

  @Test func theExampleClassifiesAFixture() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rescompile-readme-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let planPath = folder + "/resnet.resplan"
    try LoadedModel(contentsOf: RepoPaths.fixtureModel("resnet_basic")).compile().write(to: planPath)
    let data = try TestDataSet(folder: RepoPaths.fixtures + "/models/resnet_basic/test_data_set_0")
    let image = try #require(data.inputs.first)
    let expected = try #require(data.expectedOutputs.first)

    let logits = try classify(image.doubles().map { Float($0) }, planPath: planPath)

    try #require(logits.count == expected.elementCount)

    let comparison = ToleranceComparison(
      actual: ReferenceTensor(dtype: .float32, shape: expected.dims, doubles: logits.map { Double($0) }),
      expected: ReferenceTensor(constant: expected), rtol: 1e-3, atol: 1e-4)
    #expect(comparison.passed, "\(comparison)")
  }
}
