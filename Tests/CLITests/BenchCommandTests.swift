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

  @Test func profilesEveryStepAsJSON() throws {
    try CLIScratch.withFolder { folder in
      let plan = try CLIScratch.plan(fixture, in: folder)
      let result = try ProcessRunner.run(
        ["bench", plan, "--iterations", "2", "--warmup", "0", "--profile", "--format", "json"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
      let profile = try #require(object["profile"] as? [String: Any], "\(result.stdout)")
      #expect(profile["iterations"] as? Int == 2)
      let steps = try #require(profile["steps"] as? [[String: Any]])
      #expect(steps.count == object["steps"] as? Int)
      #expect(steps.map { $0["index"] as? Int } == Array(0..<steps.count), "every step, in plan order")
      for step in steps {
        #expect(step["name"] is String && step["kernel"] is String && step["shape"] is [Int])
        #expect((step["median_ms"] as? Double ?? -1) >= 0)
      }
      let dense = steps.filter { ($0["kernel"] as? String) == "f32_gemm_generic" }
      #expect(!dense.isEmpty && dense.allSatisfy { ($0["flop"] as? Int ?? 0) > 0 }, "Gemm steps carry a FLOP count")
      let kernels = try #require(profile["kernels"] as? [[String: Any]])
      let kernelSteps = kernels.map { $0["steps"] as? Int ?? 0 }.reduce(0, +)
      #expect(kernelSteps == steps.count)
      let totals = kernels.map { $0["ms"] as? Double ?? 0 }
      #expect(totals == totals.sorted(by: >), "the kernel with the most time first")
    }
  }

  @Test func profilePrintsKernelsAndTheSlowestSteps() throws {
    let result = try ProcessRunner.run(
      ["bench", RepoPaths.fixtureModel(fixture), "--iterations", "2", "--profile", "--top", "3"])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    #expect(result.stdout.contains("3 warm-up run(s), 2 timed: median "), "the usual timing comes first")
    #expect(result.stdout.contains("by kernel:") && result.stdout.contains("GFLOP/s"), "\(result.stdout)")
    #expect(result.stdout.contains("slowest 3 of "), "\(result.stdout)")
    #expect(result.stdout.contains("f32_gemm_generic"))
  }

  @Test func withoutProfileThereIsNoProfile() throws {
    let result = try ProcessRunner.run(["bench", RepoPaths.fixtureModel(fixture), "--iterations", "1", "--format", "json"])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    #expect(!result.stdout.contains("\"profile\""))
  }

  @Test(arguments: [["--iterations", "0"], ["--warmup", "-1"], ["--threads", "0"], ["--format", "xml"], ["--top", "-1"]])
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
    #expect(result.stdout.contains("--profile") && result.stdout.contains("GFLOP/s"))
  }
}
