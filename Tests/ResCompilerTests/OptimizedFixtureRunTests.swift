import Foundation
import ResCompiler
import ResONNX
import ResRuntime
import ResTestSupport
import Testing

/// Fixtures whose -O2 plans use the fused forms (LayerNormalization with a residual, GatedSkip, MatMul and
/// Gemm epilogues) compile and run on the runtime, matching the onnxruntime outputs stored with them.
@Suite struct OptimizedFixtureRunTests {
  /// The fixture and how many fused steps its plan must have (so the test fails if the fusion stops
  /// happening): LayerNorms that read a residual (X, scale, bias, residual), or gated skips. A post-LN layer
  /// has two; a pre-LN model one, its final norm after the last residual Add.
  @Test(arguments: [("transformer_post_ln", 4), ("transformer_pre_ln", 1), ("vit_tiny", 1), ("highway_mlp", 4)])
  func optimizedPlanMatchesOnnxRuntime(_ name: String, _ fusedSteps: Int) throws {
    let model = try LoadedModel(contentsOf: RepoPaths.fixtureModel(name))
    let compiled = try model.compile(options: CompileOptions(optimization: .full))
    let plan = try Plan(bytes: compiled.bytes)
    let fused = plan.summary.steps.filter { step in
      step.kernel == "f32_gated_skip" || (step.kernel == "f32_layer_norm" && step.inputs.count == 4)
    }
    #expect(fused.count == fusedSteps, "\(name): \(plan.kernelNames)")
    let folder = URL(fileURLWithPath: RepoPaths.fixtureModel(name)).deletingLastPathComponent().path
      + "/test_data_set_0"
    var inputs: [String: Tensor] = [:]
    for (index, port) in plan.inputs.enumerated() {
      inputs[port.name] = try Self.floatTensor(at: "\(folder)/input_\(index).pb")
    }
    let outputs = try Runner(plan).run(inputs)
    for (index, port) in plan.outputs.enumerated() {
      let expected = try ONNXTensorFile.read(at: "\(folder)/output_\(index).pb").value
      let actual = try #require(outputs[port.name])
      #expect(actual.shape == expected.dims, "\(name) \(port.name)")
      let reference = expected.doubles()
      let worst = zip(actual.floats, reference).map { abs(Double($0) - $1) - 1e-3 * abs($1) }.max() ?? 0
      #expect(actual.floats.count == reference.count)
      #expect(worst <= 1e-4, "\(name) \(port.name): |actual − expected| exceeds 1e-4 + 1e-3·|expected| by \(worst)")
    }
  }

  private static func floatTensor(at path: String) throws -> Tensor {
    let constant = try ONNXTensorFile.read(at: path).value
    #expect(constant.dtype == .float32, "\(path) is not float32")
    return try Tensor(constant.doubles().map { Float($0) }, shape: constant.dims)
  }
}
