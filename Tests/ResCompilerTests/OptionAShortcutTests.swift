import Foundation
import ResCompiler
import ResONNX
import ResReference
import ResRuntime
import ResTestSupport
import Testing

/// `resnet_cifar_option_a` (a CIFAR ResNet whose two downsampling shortcuts PyTorch exported as strided
/// Slices plus a channel Pad) at -O2: both shortcuts become 1x1 strided Convs (`recognize-option-a-shortcut`)
/// and fuse; the reference evaluator gives the same outputs before and after, and the compiled plan matches
/// the onnxruntime outputs stored with the fixture.
@Suite struct OptionAShortcutTests {
  let folder = RepoPaths.fixtures + "/models/resnet_cifar_option_a"

  @Test func shortcutsBecomeConvsAndKeepTheOutputs() throws {
    let loaded = try LoadedModel(contentsOf: folder + "/model.onnx")
    #expect(loaded.modelChanges.isEmpty, "recognizing an exact shortcut is not a change to the model")
    let optimized = try loaded.optimized(options: CompileOptions(optimization: .full))
    #expect(optimized.record.applied["recognize-option-a-shortcut"] == 2)
    let remaining = Set(optimized.graph.nodes.map(\.op.onnxName))
    #expect(remaining.isDisjoint(with: ["Slice", "Pad", "Add", "BatchNormalization"]), "left: \(remaining.sorted())")
    let projections = optimized.graph.nodes.filter { $0.name.hasSuffix("/shortcut/Pad.projection") }
    #expect(projections.count == 2)

    let input = try ONNXTensorFile.read(at: folder + "/test_data_set_0/input_0.pb").value
    let inputs = ["input": ReferenceTensor(constant: input)]
    let before = try ReferenceEvaluator.evaluate(loaded.graph, inputs: inputs)
    let after = try ReferenceEvaluator.evaluate(optimized.graph, inputs: inputs)
    #expect(before.count == 1 && after.count == 1)
    for (actual, expected) in zip(after, before) {
      // BatchNorm folding rounds differently; the shortcut itself is exact.
      let comparison = ToleranceComparison(actual: actual, expected: expected, rtol: 1e-4, atol: 1e-5)
      #expect(comparison.passed, "\(comparison)")
    }
  }

  @Test func thePlanMatchesOnnxruntime() throws {
    let loaded = try LoadedModel(contentsOf: folder + "/model.onnx")
    let plan = try Plan(bytes: try loaded.compile(options: CompileOptions(optimization: .full)).bytes)
    let input = try ONNXTensorFile.read(at: folder + "/test_data_set_0/input_0.pb").value
    let floats = (0..<input.elementCount).map { Float(input.double(at: $0)) }
    let outputs = try Runner(plan).run(["input": try Tensor(floats, shape: input.dims)])
    let actual = try #require(outputs["output"])
    let expected = try ONNXTensorFile.read(at: folder + "/test_data_set_0/output_0.pb").value
    #expect(actual.shape == expected.dims)
    let comparison = ToleranceComparison(
      actual: ReferenceTensor(dtype: .float32, shape: actual.shape, doubles: actual.floats.map(Double.init)),
      expected: ReferenceTensor(constant: expected), rtol: 1e-3, atol: 1e-4)
    #expect(comparison.passed, "\(comparison)")
  }
}
