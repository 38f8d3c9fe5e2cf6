import Foundation
import ResTestSupport
import Testing

/// The DenseNet fixture's dense layers (Concat → BN → ReLU → 1x1 Conv) end to end through the command line:
/// at -O2 `fuse-input-scale-shift` turns every BN → ReLU read only by a 1x1 conv into that conv's input
/// prologue, and `rescompile check` runs the resulting plan (whose pointwise GEMMs apply the prologue while
/// packing) against onnxruntime's stored outputs.
@Suite struct InputPrologueCheckTests {
  let model = RepoPaths.fixtureModel("densenet")

  @Test func theFusionFiresOnEveryDenseLayer() throws {
    try CLIScratch.withFolder { folder in
      let result = try ProcessRunner.run([model, "-O2", "--stats", "-o", "\(folder)/densenet.resplan"])
      #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
      let row = try #require(
        result.stdout.split(separator: "\n").first { $0.contains("fuse-input-scale-shift") && $0.contains("applied") },
        "no stats row for fuse-input-scale-shift:\n\(result.stdout)")
      // Nine dense layers' 1x1 convs read a BN → ReLU. The first of each block reads a convolution's result
      // (the stem's, then a transition's, whose pooling `hoist-pool-before-pointwise-conv` moved before its
      // 1x1), the transitions' BNs feed that pooling, and the last BN the global pooling: those six stay steps.
      #expect(row.contains(" 6 applied") && row.contains(" 6 declined"), "\(row)")
    }
  }

  /// A dense layer is three steps: the 1x1 conv with its prologue (and norm2 folded, ReLU fused) writing
  /// channels-last, the 3x3, and the reorder of its result into the row-major Concat.
  @Test func blocksShowThePrologue() throws {
    try CLIScratch.withFolder { folder in
      let result = try ProcessRunner.run([model, "-O2", "--dump", "blocks", "-o", "\(folder)/densenet.resplan"])
      #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
      #expect(result.stdout.contains("features.0      scaleshift+relu → conv1x1+relu → conv3x3 ‖ identity   (3 steps)"))
      #expect(result.stdout.contains("features.1      [scaleshift+relu]conv1x1+relu → conv3x3 ‖ identity   (3 steps)"))
      #expect(result.stdout.contains("features.3      scaleshift+relu → avgpool2x2/2 → conv1x1   (3 steps)"))
    }
  }

  @Test(arguments: [[String](), ["--disable-pass", "fuse-input-scale-shift"]])
  func matchesOnnxruntime(_ extra: [String]) throws {
    let result = try ProcessRunner.run(["check", model, "-O2"] + extra)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("PASS: 1 output(s) within rtol 0.001, atol 0.0001"), "\(result.stdout)")
  }
}
