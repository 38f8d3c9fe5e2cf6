import ResIR
import ResPasses
import Testing

/// The must-not-fire golden cases of `recognize-global-average-pool` decline for the reason in their header.
@Suite struct GlobalAveragePoolDeclineTests {
  static var cases: [GoldenCase] {
    GoldenCase.all().filter { $0.mustNotFire != nil && $0.testDescription.hasPrefix("pooling/") }
  }

  @Test func thereAreMustNotFireCases() {
    #expect(Self.cases.count >= 2)
  }

  @Test(arguments: cases)
  func declinesForItsReason(_ golden: GoldenCase) throws {
    let run = try PassRun(golden.passes, on: try TextFormat.parse(golden.input))
    let reasons = run.declines(of: "recognize-global-average-pool").map(\.reason)
    let phrase = try #require(golden.mustNotFire)
    #expect(reasons.contains(phrase), "no decline says '\(phrase)'; declines: \(reasons)")
  }
}
