import Foundation
import ResCompiler
import ResTestSupport
import Testing

/// `--explain`: every candidate in pipeline order, with the guard's reason for each decline, as text and as
/// JSON. `fusion_corners` is built to hit guards (a conv output read twice, a residual computed from the
/// conv itself).
@Suite struct ExplainReportTests {
  let optimized: OptimizedModel

  init() throws {
    optimized = try LoadedModel(contentsOf: RepoPaths.fixtureModel("fusion_corners")).optimized()
  }

  @Test func textListsEveryDecisionUnderItsPass() throws {
    let text = ExplainReport.render(optimized, as: .text)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines.filter { $0.hasPrefix("pass ") }.count == optimized.passRuns.count)
    #expect(lines.filter { $0.hasPrefix("  ") }.count == optimized.record.decisions.count)
    #expect(lines.contains("pass 13/29 batchnorm-folding: 4 applied, 1 declined"))
    #expect(
      lines.contains(
        "  declined  fold-batchnorm  '/shared_bn/BatchNormalization': the Conv's output '/shared/Conv_output_0' "
          + "has 2 uses; the others need it unnormalized"))
    #expect(lines.contains { $0.hasPrefix("  applied   fuse-activation  '") })
  }

  @Test func jsonHasOneEntryPerDecisionInOrderWithItsReason() throws {
    let text = ExplainReport.render(optimized, as: .json)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    let decisions = try #require(object["decisions"] as? [[String: Any]])
    #expect(decisions.count == optimized.record.decisions.count)
    #expect(decisions.map { $0["node"] as? String } == optimized.record.decisions.map(\.node))
    #expect(decisions.map { $0["pattern"] as? String } == optimized.record.decisions.map(\.pattern))
    let declined = decisions.filter { $0["outcome"] as? String == "declined" }
    #expect(declined.count == 7)
    #expect(declined.allSatisfy { ($0["reason"] as? String)?.isEmpty == false })
    #expect(declined.map { $0["pass"] as? String } == [
        "batchnorm-folding", "fuse-epilogue", "fuse-epilogue", "fold-scale-shift-into-conv", "fuse-input-scale-shift",
        "widen-narrow-groups", "widen-narrow-groups",
      ])
    let passes = try #require(object["passes"] as? [[String: Any]])
    #expect(passes.map { $0["index"] as? Int } == Array(1...Pipeline.passes(for: .full).count))
    #expect(object["model_changes"] as? [String] == [])
  }

  /// Nothing in either form depends on time or hashing: two optimizations explain identically.
  @Test func bothFormsAreDeterministic() throws {
    let again = try LoadedModel(contentsOf: RepoPaths.fixtureModel("fusion_corners")).optimized()
    for format in ExplainFormat.allCases {
      #expect(ExplainReport.render(optimized, as: format) == ExplainReport.render(again, as: format))
    }
  }
}
