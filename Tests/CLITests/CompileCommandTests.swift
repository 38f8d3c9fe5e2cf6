import Foundation
import ResTestSupport
import Testing

/// The command-line contract of `rescompile MODEL.onnx` (DESIGN.md §8) as a user sees it.
@Suite struct CompileCommandTests {
  let model = RepoPaths.fixtureModel("resnet_basic")

  @Test func summarizesAnImportedModel() throws {
    let result = try ProcessRunner.run([model])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    #expect(result.stdout.contains("nodes:"))
    #expect(result.stdout.contains("Conv×"))
    #expect(result.stderr.isEmpty)
  }

  @Test func dumpsTextToStandardOutputAndTheSummaryToStandardError() throws {
    let result = try ProcessRunner.run([model, "--dump", "imported"])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    #expect(result.stdout.contains("Conv"))
    #expect(!result.stdout.contains("nodes:"))
    #expect(result.stderr.contains("nodes:"))
  }

  @Test func dumpsTheJSONContract() throws {
    let result = try ProcessRunner.run([model, "--dump", "imported", "--dump-format", "json"])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let nodes = try #require(object?["nodes"] as? [[String: Any]])
    #expect(!nodes.isEmpty)
    for node in nodes {
      for key in ["name", "op", "inputs", "outputs", "attributes"] {
        #expect(node[key] != nil, "node lacks '\(key)': \(node)")
      }
    }
    #expect(nodes.contains { $0["op"] as? String == "Conv" })
  }

  @Test func dumpsDOT() throws {
    let result = try ProcessRunner.run([model, "--dump", "imported", "--dump-format", "dot"])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    #expect(result.stdout.hasPrefix("digraph"))
  }

  @Test func writesDumpsIntoADirectory() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rescompile-dumps-\(UUID())").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let result = try ProcessRunner.run([model, "--dump", "imported", "--dump-format", "json", "--dump-dir", dir])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["imported.json"])
  }

  @Test func dumpsAreDeterministic() throws {
    let first = try ProcessRunner.run([model, "--dump", "imported"])
    let second = try ProcessRunner.run([model, "--dump", "imported"])
    #expect(first.status == 0)
    #expect(first.stdout == second.stdout)
  }

  @Test func helpShowsExamples() throws {
    let result = try ProcessRunner.run(["--help"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("Examples:"))
    #expect(result.stdout.contains("--dump"))
  }

  @Test func badUsageUsesTheArgumentParsersStatus() throws {
    let result = try ProcessRunner.run([model, "--dump", "no-such-stage"])
    #expect(result.status == 64)
    #expect(result.stdout.isEmpty)
  }

  @Test func missingFileIsOneErrorLine() throws {
    let result = try ProcessRunner.run(["/nonexistent/model.onnx"])
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("error: /nonexistent/model.onnx: "))
    #expect(result.stderr.split(separator: "\n").count == 1)
  }

  @Test func aDirectoryIsNotAModel() throws {
    let result = try ProcessRunner.run([RepoPaths.fixtures])
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("error: \(RepoPaths.fixtures): "))
  }
}
