import Foundation
import ResTestSupport
import Testing

/// `rescompile inspect PLAN` (DESIGN.md §8): text for people, and the JSON contract (`steps` with `kernel`,
/// `inputs`, `outputs`; `arena_bytes`; `constant_bytes`).
@Suite struct InspectCommandTests {
  @Test func listsThePlanAsText() throws {
    try CLIScratch.withFolder { folder in
      let plan = try CLIScratch.plan("resnet_basic", in: folder)
      let result = try ProcessRunner.run(["inspect", plan])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      for fragment in [
        "plan: \(plan)", "produced by rescompile", "compiled with: -O2", "inputs: input: f32[1,3,32,32]",
        "outputs: output: f32[1,10]", "arena bytes:", "constant bytes:", "steps: 11", "f32_conv_nchw_generic", "f32_pool",
        "@head.fc.weight f32[10,64]", "f32_conv_nchw_generic [channels-last Winograd F(4x4,3x3)] '",
      ] {
        #expect(result.stdout.contains(fragment), "'\(fragment)' missing from:\n\(result.stdout)")
      }
    }
  }

  @Test func printsTheJSONContract() throws {
    try CLIScratch.withFolder { folder in
      let plan = try CLIScratch.plan("resnet_basic", in: folder, options: ["-O0"])
      let result = try ProcessRunner.run(["inspect", plan, "--format", "json"])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
      #expect((object["arena_bytes"] as? Int ?? 0) > 0)
      #expect((object["constant_bytes"] as? Int ?? 0) > 0)
      #expect(object["compile_options"] as? String == "-O0; dims: none")
      let steps = try #require(object["steps"] as? [[String: Any]])
      #expect(steps.count == 34)  // 30 operator steps and 4 reorders around the 3x3 convolutions wide enough for channels-last Winograd
      #expect(steps.contains { ($0["method"] as? String)?.hasPrefix("channels-last Winograd") == true })
      for step in steps {
        #expect(step["kernel"] is String, "\(step)")
        #expect(step["method"] == nil || step["kernel"] as? String == "f32_conv_nchw_generic", "\(step)")
        let inputs = try #require(step["inputs"] as? [[String: Any]])
        let outputs = try #require(step["outputs"] as? [[String: Any]])
        #expect(!outputs.isEmpty)
        for buffer in inputs + outputs {
          #expect(buffer["name"] is String && buffer["shape"] is [Int] && buffer["dtype"] is String)
        }
      }
      #expect(steps.contains { $0["kernel"] as? String == "f32_conv_nchw_generic" })
    }
  }

  @Test func aModelIsNotAPlan() throws {
    let model = RepoPaths.fixtureModel("resnet_basic")
    let result = try ProcessRunner.run(["inspect", model])
    CLIScratch.expectOneErrorLine(result, naming: "\(model): not a plan")
    #expect(result.stderr.contains("rescompile MODEL.onnx -o PLAN"))
  }

  @Test func aTruncatedPlanIsOneErrorLine() throws {
    try CLIScratch.withFolder { folder in
      let plan = try CLIScratch.plan("highway_mlp", in: folder)
      let bytes = try #require(FileManager.default.contents(atPath: plan))
      try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: plan))
      let result = try ProcessRunner.run(["inspect", plan])
      CLIScratch.expectOneErrorLine(result, naming: "\(plan): ")
      #expect(result.stdout.isEmpty)
    }
  }

  @Test func aMissingPlanIsOneErrorLine() throws {
    let result = try ProcessRunner.run(["inspect", "/nonexistent/p.resplan"])
    CLIScratch.expectOneErrorLine(result, naming: "/nonexistent/p.resplan: ")
  }

  @Test func aBadFormatIsAUsageError() throws {
    let result = try ProcessRunner.run(["inspect", "p.resplan", "--format", "xml"])
    #expect(result.status == 64)
  }

  @Test func helpShowsExamples() throws {
    let result = try ProcessRunner.run(["inspect", "--help"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("Examples:") && result.stdout.contains("--format"))
  }
}
