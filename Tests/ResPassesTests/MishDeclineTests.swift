import ResIR
import ResPasses
import Testing

/// The must-not-fire golden cases of `recognize-mish` stop at the guard they are named after (the golden
/// harness proves the graph did not change and the numbers agree; this proves which guard stopped it). A
/// product that is not Mish (the Tanh of another tensor's Softplus) is no candidate, so it declines nothing.
@Suite struct MishDeclineTests {
  static let expectedReasons: [String: String?] = [
    "mish/tanh_read_elsewhere_kept.ir": "the Mish's intermediate 't' has 2 readers",
    "mish/other_input_kept.ir": nil,
  ]

  static var cases: [GoldenCase] {
    GoldenCase.all().filter { $0.mustNotFire != nil && $0.testDescription.hasPrefix("mish/") }
  }

  @Test func everyCaseIsListed() {
    #expect(Set(Self.cases.map(\.testDescription)) == Set(Self.expectedReasons.keys))
  }

  @Test(arguments: cases)
  func declinesForItsReason(_ golden: GoldenCase) throws {
    let run = try PassRun(golden.passes, on: try TextFormat.parse(golden.input))
    let reasons = run.declines(of: "recognize-mish").map(\.reason)
    guard let phrase = try #require(Self.expectedReasons[golden.testDescription]) else {
      #expect(reasons.isEmpty, "declines: \(reasons)")
      return
    }
    #expect(reasons.contains { $0.contains(phrase) }, "no decline says '\(phrase)'; declines: \(reasons)")
  }
}
