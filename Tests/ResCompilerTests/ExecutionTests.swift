import Foundation
import ResCompiler
import ResReference
import ResRuntime
import ResTestSupport
import Testing

/// The façade's run side: IR constants ⇄ runtime tensors, dimension bindings from data, test data folders,
/// output folders, and `check` on both kinds of reference.
@Suite struct ExecutionTests {
  @Test(arguments: [DType.float32, .float16, .float64, .int64, .int32, .int8, .uint8, .bool])
  func constantsAndTensorsRoundTrip(_ dtype: DType) throws {
    let constant = Constant(dtype: dtype, dims: [2, 3], doubles: [0, 1, -1, 2, 1, 0])
    let tensor = try Tensor(constant)
    #expect(tensor.shape == [2, 3])
    #expect(tensor.elementType == ElementType(dtype))
    #expect(DType(tensor.elementType) == dtype)
    let back = Constant(tensor)
    #expect(back.dtype == dtype && back.dims == [2, 3])
    #expect(back.doubles() == constant.doubles())
  }

  @Test func symbolicDimensionsAreBoundFromTheData() throws {
    let model = try LoadedModel(contentsOf: RepoPaths.fixtureModel("resnet_basic_dynamic_batch"))
    let batch3 = Constant(dtype: .float32, dims: [3, 3, 32, 32], doubles: [Double](repeating: 0, count: 3 * 3 * 32 * 32))
    #expect(try model.dimensionBindings(matching: ["input": batch3]) == ["batch": 3])
    #expect(try model.dimensionBindings(matching: [:], explicit: ["batch": 2]) == ["batch": 2])
    let conflict = #expect(throws: ModelError.self) {
      try model.dimensionBindings(matching: ["input": batch3], explicit: ["batch": 2])
    }
    #expect(conflict?.message == "input 'input' has 3 in dimension 0 ('batch'), but 'batch' is 2")
    let wrongRank = Constant(floats: [0, 0, 0], dims: [3])
    let rank = #expect(throws: ModelError.self) { try model.dimensionBindings(matching: ["input": wrongRank]) }
    #expect(rank?.message == "input 'input' has shape [3], the model declares f32[batch,3,32,32]")
  }

  @Test func dataSetsAreFoundInNumericOrder() throws {
    try withScratchFolder { folder in
      let source = RepoPaths.fixtures + "/models/highway_mlp/test_data_set_0"
      for number in [10, 2, 9] {
        try FileManager.default.copyItem(atPath: source, toPath: "\(folder)/test_data_set_\(number)")
      }
      try FileManager.default.createDirectory(atPath: "\(folder)/test_data_set_x", withIntermediateDirectories: true)
      let sets = try TestDataSet.sets(in: folder)
      #expect(sets.map(\.name) == ["test_data_set_2", "test_data_set_9", "test_data_set_10"])
      #expect(sets.allSatisfy { $0.inputs.count == 1 && $0.expectedOutputs.count == 1 })
      #expect(try TestDataSet.sets(in: "\(folder)/test_data_set_9").map(\.name) == ["test_data_set_9"])
      #expect(try TestDataSet.sets(nextTo: "\(folder)/model.onnx").count == 3)
      #expect(try TestDataSet.sets(nextTo: RepoPaths.fixtures + "/MANIFEST.json").isEmpty)
    }
  }

  @Test func outputFoldersNameFilesSafelyAndProtectInputs() throws {
    try withScratchFolder { folder in
      let npy = OutputFolder(path: "\(folder)/out", format: .npy)
      #expect(npy.fileName(forOutput: "/head/fc/Gemm_output_0", position: 0) == "_head_fc_Gemm_output_0.npy")
      #expect(npy.fileName(forOutput: "..", position: 0) == "_...npy")
      #expect(OutputFolder(path: folder, format: .onnx).fileName(forOutput: "logits", position: 3) == "output_3.pb")

      let value = Constant(floats: [1, 2], dims: [2])
      let clash = #expect(throws: FileWriteError.self) {
        try npy.write([(name: "a/b", value: value), (name: "a_b", value: value)], protecting: [])
      }
      #expect(clash?.description.contains("would both be written to") == true)
      #expect(!FileManager.default.fileExists(atPath: "\(folder)/out"), "nothing is written on a clash")

      let written = try npy.write([(name: "logits", value: value)], protecting: [])
      #expect(written == ["\(folder)/out/logits.npy"])
      #expect(try TensorFile.read(at: written[0]).doubles() == [1, 2])
      let original = FileManager.default.contents(atPath: written[0])
      #expect(throws: FileWriteError.self) {
        try npy.write([(name: "logits", value: Constant(floats: [3, 4], dims: [2]))], protecting: [written[0]])
      }
      #expect(FileManager.default.contents(atPath: written[0]) == original)
    }
  }

  @Test func checkComparesWithStoredOutputs() throws {
    let model = try LoadedModel(contentsOf: RepoPaths.fixtureModel("highway_mlp"))
    let sets = try TestDataSet.sets(nextTo: RepoPaths.fixtureModel("highway_mlp"))
    let report = try model.check(against: sets, options: CompileOptions(), rtol: 1e-3, atol: 1e-4)
    #expect(report.passed)
    #expect(report.results.map(\.output) == ["output"])
    #expect(report.reference == .testData(folders: sets.map(\.folder)))
    #expect(report.stepCount > 0)
    #expect(report.results.allSatisfy { $0.evaluatorOpinion == nil })
  }

  /// A stored output off by 0.01 in one element: the check fails on it, and the reference evaluator, run for
  /// the failing data set, sides with rescompile (a few ulps from its output, the perturbation from the stored
  /// one).
  @Test func aMismatchGetsTheReferenceEvaluatorsOpinion() throws {
    try withScratchFolder { folder in
      let data = RepoPaths.fixtures + "/models/highway_mlp/test_data_set_0"
      try FileManager.default.copyItem(atPath: "\(data)/input_0.pb", toPath: "\(folder)/input_0.pb")
      let stored = try TensorFile.read(at: "\(data)/output_0.pb")
      var values = stored.doubles()
      values[3] += 0.01
      let perturbed = Constant(dtype: .float32, dims: stored.dims, doubles: values)
      try Data(TensorFile.serialized(perturbed, name: "output", as: .onnx)).write(
        to: URL(fileURLWithPath: "\(folder)/output_0.pb"))
      let model = try LoadedModel(contentsOf: RepoPaths.fixtureModel("highway_mlp"))
      let report = try model.check(
        against: try TestDataSet.sets(in: folder), options: CompileOptions(), rtol: 1e-3, atol: 1e-4)
      let failure = try #require(report.failures.first)
      #expect(failure.comparison.worstIndex == 3)
      let opinion = try #require(failure.evaluatorOpinion)
      #expect(opinion.distanceToActual < 1e-5, "\(opinion)")
      #expect(abs(opinion.distanceToExpected - 0.01) < 1e-4, "\(opinion)")
    }
  }

  /// Another model's output of the same type as the reference: the check fails and says where.
  @Test func checkReportsAMismatch() throws {
    try withScratchFolder { folder in
      let fixtures = RepoPaths.fixtures + "/models"
      try FileManager.default.copyItem(
        atPath: "\(fixtures)/highway_mlp/test_data_set_0/input_0.pb", toPath: "\(folder)/input_0.pb")
      try FileManager.default.copyItem(
        atPath: "\(fixtures)/resnet_basic/test_data_set_0/output_0.pb", toPath: "\(folder)/output_0.pb")
      let model = try LoadedModel(contentsOf: RepoPaths.fixtureModel("highway_mlp"))
      let report = try model.check(
        against: try TestDataSet.sets(in: folder), options: CompileOptions(), rtol: 1e-3, atol: 1e-4)
      #expect(!report.passed)
      let failure = try #require(report.failures.first)
      #expect(failure.output == "output" && failure.type == "f32[1,10]")
      #expect(failure.comparison.mismatchCount > 0 && failure.comparison.worstIndex != nil)
    }
  }

  /// The default tolerance follows the narrowest float type the model computes in.
  @Test func checkDefaultsToTheModelsPrecisionsTolerance() throws {
    let half = RepoPaths.fixtures + "/legacy/float16_residual_block_opset13/model.onnx"
    let float16 = try LoadedModel(contentsOf: half)
    #expect(OutputTolerance.narrowestFloat(in: float16.graph) == .float16)
    let report = try float16.check(against: try TestDataSet.sets(nextTo: half), options: CompileOptions())
    #expect(report.passed && report.float16Model && report.tolerance == .float16)
    let strict = try float16.check(against: try TestDataSet.sets(nextTo: half), options: CompileOptions(), rtol: 1e-3)
    #expect(strict.tolerance == OutputTolerance(rtol: 1e-3, atol: OutputTolerance.float16.atol))
    let float32 = try LoadedModel(contentsOf: RepoPaths.fixtureModel("highway_mlp"))
    #expect(OutputTolerance.narrowestFloat(in: float32.graph) == .float32)
    let report32 = try float32.check(
      against: try TestDataSet.sets(nextTo: RepoPaths.fixtureModel("highway_mlp")), options: CompileOptions())
    #expect(report32.passed && !report32.float16Model && report32.tolerance == .float32)
  }

  @Test func checkWithoutDataUsesTheReferenceEvaluator() throws {
    let model = try LoadedModel(contentsOf: RepoPaths.fixtureModel("transformer_pre_ln"))
    let report = try model.checkAgainstReference(
      seed: 3, options: CompileOptions(optimization: .none), rtol: 1e-3, atol: 1e-4)
    #expect(report.passed, "\(report.failures.map(\.comparison))")
    #expect(report.reference == .referenceEvaluator(seed: 3))
    #expect(report.results.map(\.dataSet) == ["seeded inputs"])
  }

  @Test func runnableFilesAreRecognizedByTheirBytes() throws {
    try withScratchFolder { folder in
      let plan = "\(folder)/plan.bin"
      try LoadedModel(contentsOf: RepoPaths.fixtureModel("highway_mlp")).compile().write(to: plan)
      #expect(RunnableFile.isPlanFile(plan))
      #expect(!RunnableFile.isPlanFile(RepoPaths.fixtureModel("highway_mlp")))
      #expect(!RunnableFile.isPlanFile("\(folder)/missing"))
      guard case .plan(let loaded) = try RunnableFile.open(plan) else {
        Issue.record("a plan file opened as a model")
        return
      }
      #expect(RunnableFile.plan(loaded).inputNames == ["input"])
    }
  }

  private func withScratchFolder(_ body: (String) throws -> Void) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rescompile-exec-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try body(folder)
  }
}
