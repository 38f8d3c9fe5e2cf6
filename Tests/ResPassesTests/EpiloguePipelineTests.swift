import ResPasses
import Testing

/// Where the epilogue passes sit in the pipeline, and that every pattern can run alone by name.
@Suite struct EpiloguePipelineTests {
  static let order = Pipeline.entries.map(\.pass.name)

  @Test func foldingAndRecognitionRunBeforeFusionAfterCanonicalization() throws {
    let canonicalize = try #require(Self.order.firstIndex(of: "eliminate-common-subexpressions"))
    let batchNorm = try #require(Self.order.firstIndex(of: "batchnorm-folding"))
    let recognize = try #require(Self.order.firstIndex(of: "recognize-gelu"))
    let fuse = try #require(Self.order.firstIndex(of: "fuse-epilogue"))
    #expect(canonicalize < batchNorm && batchNorm < recognize && recognize < fuse)
  }

  @Test func fusionRunsAtO2Only() {
    let o1 = Pipeline.passes(for: .basic).map(\.name)
    let o2 = Pipeline.passes(for: .full).map(\.name)
    #expect(!o1.contains("fuse-epilogue") && !o1.contains("recognize-gelu"))
    #expect(o2.contains("fuse-epilogue") && o2.contains("recognize-gelu"))
  }

  @Test(
    arguments: ["recognize-gelu-erf", "recognize-gelu-tanh", "fold-bias-add", "fuse-residual-add", "fuse-activation"])
  func patternRunsAloneByName(_ name: String) {
    #expect(Pipeline.pass(named: name)?.name == name)
  }
}
