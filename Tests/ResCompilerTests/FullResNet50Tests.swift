import Foundation
import ResCompiler
import ResTestSupport
import Testing

/// The full-size ResNet-50 (torchvision, exported with its BatchNormalization nodes) at -O2: no BatchNorm,
/// Add, Sum or ReLU in the optimized JSON dump, and 53 convolution steps plus the two poolings and the GEMM.
///
/// `fixtures/full/` is not committed (`fixtures/generate.py --full` makes it); without it the test is skipped
/// and the skip and its reason show in the test output.
@Suite struct FullResNet50Tests {
  static let model = "\(RepoPaths.fixtures)/full/resnet50/model.onnx"
  static let available = FileManager.default.fileExists(atPath: model)

  @Test(
    .enabled(
      if: available,
      "SKIPPED: fixtures/full/resnet50/model.onnx is absent; run fixtures/generate.py --full, or link fixtures/full"
    ))
  func fullResNet50FusesEveryBatchNormAddAndRelu() throws {
    let loaded = try LoadedModel(contentsOf: Self.model)
    let optimized = try loaded.optimized()
    let ops = try OptimizedFixtureTests.jsonOps(optimized.graph)
    #expect(ops.filter(OptimizedFixtureTests.fusedAway.contains).isEmpty)
    #expect(ops.filter { $0 == "Conv" }.count == 53)
    try OptimizedFixtureTests.expectOneStepPerLayer(loaded, optimized)
    let steps = try loaded.compile(optimized.graph, options: CompileOptions()).summary
    print("full ResNet-50 at -O2: \(steps.stepCount) steps: \(steps.kernelCountsLine)")
  }
}
