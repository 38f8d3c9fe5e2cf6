import ResIR
import ResPasses
import Testing

/// The must-not-fire golden cases of `widen-narrow-groups` decline for the reason in their header (the golden
/// harness proves the graph did not change; this proves which guard stopped it).
@Suite struct WidenNarrowGroupsDeclineTests {
  static var cases: [GoldenCase] {
    GoldenCase.all().filter { $0.mustNotFire != nil && $0.testDescription.hasPrefix("groups/") }
  }

  @Test func thereAreMustNotFireCases() {
    #expect(Self.cases.count >= 5)
  }

  @Test(arguments: cases)
  func declinesForItsReason(_ golden: GoldenCase) throws {
    let run = try PassRun(golden.passes, on: try TextFormat.parse(golden.input))
    let reasons = run.declines(of: "widen-narrow-groups").map(\.reason)
    let phrase = try #require(golden.mustNotFire)
    #expect(reasons.contains(phrase), "no decline says '\(phrase)'; declines: \(reasons)")
  }
}
