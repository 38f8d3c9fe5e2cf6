import ResIR
import ResPasses
import ResReference
import Testing

/// Every committed fixture through canonicalization, BatchNormalization folding and dead code elimination:
/// the result verifies, computes what the imported model computes on the fixture's test inputs, and every
/// BatchNormalization left has a recorded reason. Prints one line per fixture: folded and remaining counts,
/// the reasons, and the drift (pitfall 27: drift is measured and classified, not argued about).
@Suite struct BatchNormFoldingFixtureTests {
  static let passes = ["canonicalize", "batchnorm-folding", "dead-code"]
  /// Both sides run on the reference evaluator; the only difference is that the folded weights are rounded to
  /// float32 once, where the unfolded graph rounds the convolution's result before normalizing it.
  static let (rtol, atol) = (1e-5, 1e-5)
  /// The BatchNormalizations that must stay, by fixture (every other fixture folds all of its own): those after
  /// Concat, AveragePool or a residual Add have no Conv before them, and the stems of DenseNet and the
  /// pre-activation ResNet, and fusion_corners' shared conv, feed a second reader that needs them unnormalized.
  /// residual_unet's three strided ConvTransposes are each a Conv of the output phases that a Reshape,
  /// Transpose (and a Slice for the pads) move into place, so the BatchNormalization after each meets those.
  static let expectedRemaining = ["densenet": 12, "fusion_corners": 1, "resnet_preact": 4]

  @Test func theManifestListsFixtures() {
    #expect(FixtureModel.all().count >= 20)
  }

  @Test(arguments: FixtureModel.all())
  func fixtureFoldsAndComputesTheSame(_ fixture: FixtureModel) throws {
    let before = try fixture.imported()
    let run = try PassRun(Self.passes, on: before)
    let inputs = try fixture.testInputs(for: before)
    let expected = try ReferenceEvaluator.evaluate(before, inputs: inputs)
    let actual = try ReferenceEvaluator.evaluate(run.graph, inputs: inputs)
    #expect(actual.count == expected.count)
    var drift = (absolute: 0.0, relative: 0.0)
    for (a, e) in zip(actual, expected) {
      let comparison = ToleranceComparison(actual: a, expected: e, rtol: Self.rtol, atol: Self.atol)
      #expect(comparison.passed, "\(fixture.name): \(comparison)")
      drift = (max(drift.absolute, comparison.maxAbsoluteError), max(drift.relative, comparison.maxRelativeError))
    }
    let declines = run.declines(of: "fold-batchnorm")
    let remaining = run.graph.count(of: "BatchNormalization")
    #expect(remaining == Self.expectedRemaining[fixture.name] ?? 0, "\(fixture.name): BatchNormalizations left")
    #expect(run.applied("fold-batchnorm") + remaining == before.count(of: "BatchNormalization"))
    #expect(declines.count == remaining, "\(fixture.name): every BatchNormalization left must say why")
    let reasons = declines.map { "\($0.node): \($0.reason)" }.joined(separator: "; ")
    print(
      "fold-batchnorm \(fixture.name): \(run.applied("fold-batchnorm")) folded, \(remaining) left"
        + " | drift max abs \(drift.absolute), max rel \(drift.relative)"
        + (reasons.isEmpty ? "" : " | \(reasons)"))
  }
}
