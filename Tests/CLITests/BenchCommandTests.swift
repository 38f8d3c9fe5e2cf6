import Foundation
import ResTestSupport
import Testing

/// `rescompile bench` (DESIGN.md §8): the JSON keys a benchmark script reads, text for people, usage errors.
/// Two timed runs keep these fast: they test the command, not the speed.
@Suite struct BenchCommandTests {
  let fixture = "highway_mlp"

  @Test func benchesAPlanAsJSON() throws {
    try CLIScratch.withFolder { folder in
      let plan = try CLIScratch.plan(fixture, in: folder)
      let result = try ProcessRunner.run(["bench", plan, "--iterations", "2", "--warmup", "1", "--format", "json"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
      for key in ["median_ms", "min_ms", "max_ms", "mean_ms", "p90_ms", "load_ms"] {
        let value = try #require(object[key] as? Double, "'\(key)' missing: \(result.stdout)")
        #expect(value >= 0)
      }
      #expect(object["iterations"] as? Int == 2)
      #expect(object["warmup"] as? Int == 1)
      #expect(object["threads"] as? Int == 1)
      #expect(object["kind"] as? String == "plan")
      #expect((object["samples_ms"] as? [Double])?.count == 2)
      #expect(object["compile_ms"] == nil)
      let (minimum, median) = (object["min_ms"] as? Double ?? 0, object["median_ms"] as? Double ?? 0)
      #expect(minimum <= median && median <= (object["max_ms"] as? Double ?? 0))
    }
  }

  @Test func benchesAModelCompiledInMemory() throws {
    let result = try ProcessRunner.run(
      ["bench", RepoPaths.fixtureModel(fixture), "--iterations", "2", "--threads", "2", "-O0", "--format", "json"])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(object["kind"] as? String == "model")
    #expect(object["compile_options"] as? String == "-O0")
    #expect(object["threads"] as? Int == 2)
    #expect(object["import_ms"] is Double && object["compile_ms"] is Double)
  }

  @Test func printsText() throws {
    let result = try ProcessRunner.run(["bench", RepoPaths.fixtureModel(fixture), "--iterations", "2"])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    #expect(result.stdout.contains("3 warm-up run(s), 2 timed: median "), "\(result.stdout)")
    #expect(result.stdout.contains("p90") && result.stdout.contains("compiled (-O2) in"))
  }

  @Test(arguments: [["--iterations", "0"], ["--warmup", "-1"], ["--threads", "0"], ["--format", "xml"]])
  func badCountsAreUsageErrors(_ arguments: [String]) throws {
    let result = try ProcessRunner.run(["bench", RepoPaths.fixtureModel(fixture)] + arguments)
    #expect(result.status == 64, "stderr: \(result.stderr)")
  }

  @Test func aMissingFileIsOneErrorLine() throws {
    let result = try ProcessRunner.run(["bench", "/nonexistent/p.resplan"])
    CLIScratch.expectOneErrorLine(result, naming: "/nonexistent/p.resplan: ")
  }

  @Test func helpShowsExamples() throws {
    let result = try ProcessRunner.run(["bench", "--help"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("Examples:") && result.stdout.contains("median_ms"))
  }
}
