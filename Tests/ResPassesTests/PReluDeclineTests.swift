import ResIR
import ResPasses
import Testing

/// The must-not-fire golden cases of `recognize-prelu` stop at the guard they are named after (the golden
/// harness proves the graph did not change and the numbers agree; this proves which guard stopped it). A
/// Where of another shape is no candidate at all, so it declines nothing.
@Suite struct PReluDeclineTests {
  static let expectedReasons: [String: String?] = [
    "prelu/prelu_op_computed_slope_kept.ir": "the slope is computed, not a constant",
    "prelu/prelu_op_per_channel_kept.ir": "the slope holds 4 values, not one",
    "prelu/other_where_kept.ir": nil,
  ]

  static var cases: [GoldenCase] {
    GoldenCase.all().filter { $0.mustNotFire != nil && $0.testDescription.hasPrefix("prelu/") }
  }

  @Test func everyCaseIsListed() {
    #expect(Set(Self.cases.map(\.testDescription)) == Set(Self.expectedReasons.keys))
  }

  @Test(arguments: cases)
  func declinesForItsReason(_ golden: GoldenCase) throws {
    let run = try PassRun(golden.passes, on: try TextFormat.parse(golden.input))
    let reasons = run.declines(of: "recognize-prelu").map(\.reason)
    guard let phrase = try #require(Self.expectedReasons[golden.testDescription]) else {
      #expect(reasons.isEmpty, "declines: \(reasons)")
      return
    }
    #expect(reasons.contains { $0.contains(phrase) }, "no decline says '\(phrase)'; declines: \(reasons)")
  }
}
