import Foundation
import ResTestSupport
import Testing

/// `rescompile check` (DESIGN.md §8): compile, run, compare; PASS exits 0, a mismatch exits 2 with an error
/// line, a check that cannot run exits 1.
@Suite struct CheckCommandTests {
  let fixture = "highway_mlp"
  var model: String { RepoPaths.fixtureModel(fixture) }

  @Test(arguments: ["-O0", "-O1", "-O2"])
  func passesOnAFixture(_ level: String) throws {
    let result = try ProcessRunner.run(["check", model, level])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("check \(model) at \(level): "))
    #expect(result.stdout.contains("reference data: \(RepoPaths.fixtures)/models/\(fixture)/test_data_set_0"))
    let row = try #require(result.stdout.split(separator: "\n").first { $0.contains("test_data_set_0  output") })
    #expect(row.contains("f32[1,10]") && row.contains("max abs error") && row.contains("max rel error"))
    #expect(row.hasSuffix("PASS"))
    #expect(result.stdout.contains("PASS: 1 output(s) within rtol 0.001, atol 0.0001"))
  }

  /// A dynamic-batch model is compiled for the batch of its data, without `--dim`.
  @Test func bindsTheBatchFromTheData() throws {
    let result = try ProcessRunner.run(["check", RepoPaths.fixtureModel("vit_tiny_dynamic_batch")])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("f32[2,10]"))
  }

  /// Another model's output of the same type as the reference: FAIL on stdout, one error line, status 2.
  @Test func failsOnAWrongReference() throws {
    try CLIScratch.withFolder { folder in
      try FileManager.default.copyItem(atPath: CLIScratch.testData(fixture) + "/input_0.pb", toPath: "\(folder)/input_0.pb")
      try FileManager.default.copyItem(
        atPath: CLIScratch.testData("resnet_basic") + "/output_0.pb", toPath: "\(folder)/output_0.pb")
      let result = try ProcessRunner.run(["check", model, "--data", folder])
      CLIScratch.expectOneErrorLine(result, status: 2, naming: "\(model): outputs differ from the reference")
      #expect(result.stdout.contains("FAIL (") && result.stdout.contains("worst at index"))
      #expect(result.stdout.contains("FAIL: 1 of 1 output(s) beyond rtol 0.001, atol 0.0001"))
      #expect(result.stdout.contains("note: the reference evaluator"), "\(result.stdout)")
      #expect(result.stdout.contains("rescompile's output is the nearer"), "\(result.stdout)")
    }
  }

  /// A reference of another shape fails as a mismatch too, saying both types.
  @Test func failsOnAReferenceOfAnotherShape() throws {
    try CLIScratch.withFolder { folder in
      try FileManager.default.copyItem(atPath: CLIScratch.testData(fixture) + "/input_0.pb", toPath: "\(folder)/input_0.pb")
      try FileManager.default.copyItem(
        atPath: CLIScratch.testData("residual_gru") + "/output_0.pb", toPath: "\(folder)/output_0.pb")
      let result = try ProcessRunner.run(["check", model, "--data", folder])
      #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
      #expect(result.stdout.contains("actual is f32[1,10], expected f32[8,1,10]"), "\(result.stdout)")
    }
  }

  /// A failing check of a plan with Winograd F(4x4) steps says so and names `--winograd-tile 2`; with that
  /// option the same (zero-tolerance) failure has no F(4x4) step to name, and a passing check says nothing.
  @Test func aFailureNamesTheFourByFourWinogradSteps() throws {
    let resnet = RepoPaths.fixtureModel("resnet_basic")
    let strict = ["check", resnet, "--rtol", "0", "--atol", "0"]
    let automatic = try ProcessRunner.run(strict)
    #expect(automatic.status == 2, "\(automatic.stdout)\(automatic.stderr)")
    #expect(automatic.stdout.contains("run Winograd F(4x4)") && automatic.stdout.contains("--winograd-tile 2"))
    let two = try ProcessRunner.run(strict + ["--winograd-tile", "2"])
    #expect(two.status == 2, "\(two.stdout)\(two.stderr)")
    #expect(!two.stdout.contains("Winograd F(4x4)"), "\(two.stdout)")
    let passing = try ProcessRunner.run(["check", resnet])
    #expect(passing.status == 0 && !passing.stdout.contains("note:"), "\(passing.stdout)")
  }

  /// A model that rounds to float16 between ops (fixtures/legacy, onnxruntime's outputs) agrees with
  /// onnxruntime to float16's precision: by default it is compared under `OutputTolerance.float16`, and the
  /// report says why; asked for float32's tolerance, it fails, and no Winograd note blames the convolutions.
  @Test func aFloat16ModelGetsFloat16Tolerances() throws {
    let half = RepoPaths.fixtures + "/legacy/float16_residual_block_opset13/model.onnx"
    let result = try ProcessRunner.run(["check", half])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("PASS: 1 output(s) within rtol 0.01, atol 0.05 (the defaults for a model with float16"))
    let strict = try ProcessRunner.run(["check", half, "--rtol", "1e-3", "--atol", "1e-4"])
    #expect(strict.status == 2, "\(strict.stdout)\(strict.stderr)")
    #expect(strict.stdout.contains("FAIL: 1 of 1 output(s) beyond rtol 0.001, atol 0.0001\n"))
    #expect(!strict.stdout.contains("Winograd F(4x4)"), "\(strict.stdout)")
    let relative = try ProcessRunner.run(["check", half, "--rtol", "0.5"])
    #expect(relative.stdout.contains("within rtol 0.5, atol 0.05 (the defaults"), "\(relative.stdout)")
  }

  /// A float16 model's values stay float32 between ops by default (no cast steps around each op), the compile
  /// says so as a model change, and `--float16-compute float16` rounds every op's result instead; both match
  /// onnxruntime's outputs.
  @Test func float16ModelsComputeInFloat32UnlessAsked() throws {
    let half = RepoPaths.fixtures + "/legacy/float16_residual_block_opset13/model.onnx"
    let rounded = try ProcessRunner.run(["check", half, "--float16-compute", "float16"])
    #expect(rounded.status == 0, "\(rounded.stdout)\(rounded.stderr)")
    try CLIScratch.withFolder { folder in
      let promoted = try ProcessRunner.run([half, "-o", "\(folder)/promoted.resplan"])
      #expect(promoted.status == 0, "\(promoted.stderr)")
      #expect(promoted.stdout.contains("model change: float16 values are computed in float32"), "\(promoted.stdout)")
      #expect(promoted.stdout.contains("steps out: 4  f32_conv_nchw_generic×2 f32_reorder×2"), "\(promoted.stdout)")
      let exact = try ProcessRunner.run([half, "-o", "\(folder)/exact.resplan", "--float16-compute", "float16"])
      // One rounding between the kernels, in place of a cast to float16 and one back (`Float16Rounding`).
      #expect(exact.stdout.contains("steps out: 8  cast×4 f32_conv_nchw_generic×2 f32_reorder×2"), "\(exact.stdout)")
      #expect(!exact.stdout.contains("model change"), "\(exact.stdout)")
    }
  }

  @Test func looserTolerancesAreHonoured() throws {
    try CLIScratch.withFolder { folder in
      try FileManager.default.copyItem(atPath: CLIScratch.testData(fixture) + "/input_0.pb", toPath: "\(folder)/input_0.pb")
      try FileManager.default.copyItem(
        atPath: CLIScratch.testData("resnet_basic") + "/output_0.pb", toPath: "\(folder)/output_0.pb")
      let result = try ProcessRunner.run(["check", model, "--data", folder, "--atol", "100"])
      #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }
  }

  @Test func withoutReferenceDataItComparesWithTheReferenceEvaluator() throws {
    try CLIScratch.withFolder { folder in
      try FileManager.default.copyItem(atPath: model, toPath: "\(folder)/model.onnx")
      let result = try ProcessRunner.run(["check", "\(folder)/model.onnx"])
      #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
      #expect(result.stdout.contains("no reference data: comparing with the reference evaluator (ResReference) on seeded inputs"))
      #expect(result.stdout.contains("seeded inputs  output"))
    }
  }

  @Test func aPlanIsRefused() throws {
    try CLIScratch.withFolder { folder in
      let plan = try CLIScratch.plan(fixture, in: folder)
      let result = try ProcessRunner.run(["check", plan])
      CLIScratch.expectOneErrorLine(result, naming: "\(plan): is a compiled plan")
      #expect(result.stdout.isEmpty)
    }
  }

  @Test func aMissingModelIsOneErrorLine() throws {
    let result = try ProcessRunner.run(["check", "/nonexistent/model.onnx"])
    CLIScratch.expectOneErrorLine(result, naming: "/nonexistent/model.onnx: ")
  }

  @Test func dataWithoutTestDataIsOneErrorLine() throws {
    try CLIScratch.withFolder { folder in
      let result = try ProcessRunner.run(["check", model, "--data", folder])
      CLIScratch.expectOneErrorLine(result, naming: "\(folder): ")
      #expect(result.stderr.contains("neither input_0.pb nor test_data_set_N"))
    }
  }

  @Test func dataOfAnotherShapeIsOneErrorLine() throws {
    let result = try ProcessRunner.run(["check", model, "--data", CLIScratch.testData("fusion_corners")])
    CLIScratch.expectOneErrorLine(result, naming: "\(model): ")
    #expect(result.stderr.contains("input 'input' has shape [1, 8, 16, 16], the model declares f32[1,64]"))
  }

  @Test func dataWithMoreOutputsThanTheModelIsOneErrorLine() throws {
    try CLIScratch.withFolder { folder in
      try FileManager.default.copyItem(atPath: CLIScratch.testData(fixture) + "/input_0.pb", toPath: "\(folder)/input_0.pb")
      for file in ["output_0.pb", "output_1.pb"] {
        try FileManager.default.copyItem(
          atPath: CLIScratch.testData("fusion_corners") + "/" + file, toPath: "\(folder)/\(file)")
      }
      let result = try ProcessRunner.run(["check", model, "--data", folder])
      CLIScratch.expectOneErrorLine(result, naming: "\(model): ")
      #expect(result.stderr.contains("holds 2 expected output(s) (output_K.pb), the model has 1: output"))
    }
  }

  @Test(arguments: [["--rtol", "-1"], ["--atol", "nan"], ["--rtol", "x"], ["--threads", "0"]])
  func badTolerancesAreUsageErrors(_ arguments: [String]) throws {
    let result = try ProcessRunner.run(["check", model] + arguments)
    #expect(result.status == 64, "stderr: \(result.stderr)")
  }

  @Test func helpShowsExamples() throws {
    let result = try ProcessRunner.run(["check", "--help"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("Examples:") && result.stdout.contains("--rtol") && result.stdout.contains("--data"))
  }
}
