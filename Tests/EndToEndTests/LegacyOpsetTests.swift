import Foundation
import ResCompiler
import ResReference
import ResRuntime
import ResTestSupport
import Testing

/// The legacy-opset and exporter-form models of fixtures/legacy (opsets 1 to 6, ImageScaler, Caffe2's, MXNet's and
/// tf2onnx's forms, model-local functions, jax2onnx's value_info; fixtures/make_legacy.py) compiled
/// at -O0 and -O2 and run by the runtime: each must reproduce onnxruntime's outputs for its modern twin under
/// `rescompile check`'s default tolerance for the model (`OutputTolerance.defaults(for:)`: wider for the float16
/// one). Axis broadcasting is among them, where reading the legacy form as numpy
/// broadcasting would compute something else without an error.
@Suite struct LegacyOpsetTests {
  static let root = RepoPaths.fixtures + "/legacy"

  static var models: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
  }

  @Test func everyLegacyFormHasAModel() {
    #expect(Self.models.count >= 16, "fixtures/legacy holds \(Self.models.count) models")
  }

  @Test(arguments: Self.models, [OptimizationLevel.none, .full])
  func matchesOnnxruntime(_ name: String, _ level: OptimizationLevel) throws {
    let model = try LoadedModel(contentsOf: Self.root + "/\(name)/model.onnx")
    let dataSet = try TestDataSet(folder: Self.root + "/\(name)/test_data_set_0")
    let compiled = try model.compile(options: CompileOptions(optimization: level))
    let outputs = try Runner(try Plan(bytes: compiled.bytes)).run(constants: try dataSet.namedInputs(model.inputNames))
    try #require(outputs.count == dataSet.expectedOutputs.count)
    let tolerance = OutputTolerance.defaults(for: model.graph)
    for (output, expected) in zip(outputs, dataSet.expectedOutputs) {
      let comparison = ToleranceComparison(
        actual: ReferenceTensor(constant: output.value), expected: ReferenceTensor(constant: expected),
        rtol: expected.dtype.isFloatingPoint ? tolerance.rtol : 0, atol: expected.dtype.isFloatingPoint ? tolerance.atol : 0)
      #expect(comparison.passed, "\(name) -O\(level.rawValue) '\(output.name)': \(comparison)")
    }
  }

  /// Caffe2's residual join, `Sum(shortcut, branch)` then Relu, fuses into the branch's last convolution as
  /// an Add would (`sum-of-two-as-add`): the plan is the two convolutions and nothing elementwise.
  @Test func caffe2SumResidualFusesIntoTheConvolution() throws {
    let model = try LoadedModel(contentsOf: Self.root + "/caffe2_sum_residual_opset6/model.onnx")
    let compiled = try model.compile(options: CompileOptions(optimization: .full))
    let kernels = compiled.summary.kernelCounts.map(\.kernel)
    #expect(!kernels.contains("binary") && !kernels.contains("unary"), "kernels: \(kernels)")
    #expect(compiled.summary.kernelCounts.first { $0.kernel == "f32_conv_nchw_generic" }?.count == 2)
  }

  /// jax2onnx's value_info, which gives the NCHW results inside each Transpose pair the channels-last shape:
  /// each contradicting declaration is listed and ignored (onnxruntime warns and runs the model), and the block
  /// still fuses into its two convolutions between the input's and the output's Transposes.
  @Test func contradictingValueInfoIsIgnoredAndListed() throws {
    let model = try LoadedModel(contentsOf: Self.root + "/jax2onnx_value_info_opset17/model.onnx")
    #expect(model.ignoredDeclarations.count == 4, "\(model.ignoredDeclarations)")
    #expect(model.ignoredDeclarations.allSatisfy { $0.contains("disagrees with inferred f32[1,4,6,6] on axis 1") })
    let counts = try model.compile(options: CompileOptions(optimization: .full)).summary.kernelCounts
    let count = { (kernel: String) in counts.first { $0.kernel == kernel }?.count ?? 0 }
    #expect(count("copy") == 2 && count("f32_conv_nchw_generic") == 2 && counts.count == 2, "kernels: \(counts)")
  }

  /// tf2onnx's NHWC wrapping (`sink-transposes`): the Transposes around each convolution cancel, the written-out
  /// bias, BatchNorm, hard swish and ZeroPadding2D land in the convolutions (the residual Add reads the input's
  /// existing NCHW Transpose), and the plan keeps only the input's and the output's Transposes as copies.
  @Test func tf2onnxTransposesCancel() throws {
    let model = try LoadedModel(contentsOf: Self.root + "/tf2onnx_nhwc_block_opset13/model.onnx")
    let counts = try model.compile(options: CompileOptions(optimization: .full)).summary.kernelCounts
    let count = { (kernel: String) in counts.first { $0.kernel == kernel }?.count ?? 0 }
    #expect(count("copy") == 2 && count("f32_conv_nchw_generic") == 4, "kernels: \(counts)")
    #expect(count("unary") == 0 && count("binary") == 1 && count("pad") == 0, "kernels: \(counts)")
  }

  /// Model-local functions (`export_modules_as_functions`' form) expand at import into ordinary nodes, which
  /// fuse as if written out: each block's residual Add and its LeakyRelu (the slope the call set, or the nested
  /// function's default) land in the block's second convolution, so the plan is four convolutions and nothing
  /// elementwise.
  @Test func moduleFunctionsExpandAndFuse() throws {
    let model = try LoadedModel(contentsOf: Self.root + "/module_functions_opset17/model.onnx")
    let counts = try model.compile(options: CompileOptions(optimization: .full)).summary.kernelCounts
    let count = { (kernel: String) in counts.first { $0.kernel == kernel }?.count ?? 0 }
    #expect(count("f32_conv_nchw_generic") == 4 && count("unary") == 0 && count("binary") == 0, "kernels: \(counts)")
  }
}
