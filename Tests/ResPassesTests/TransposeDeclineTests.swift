import ResIR
import ResPasses
import Testing

/// The must-not-fire golden cases of `sink-transpose` and `compose-transposes` stop at the guard they are named
/// after (the golden harness proves the graph did not change and the numbers agree; this proves which guard
/// stopped it). An Add of a transposed tensor and another computed one is no candidate, so it declines nothing.
@Suite struct TransposeDeclineTests {
  static let expectedReasons: [String: (pattern: String, reason: String?)] = [
    "transposes/other_reader_keeps_transpose.ir":
      ("sink-transpose", "is also read by Reshape \"flatten\", which needs it transposed"),
    "transposes/graph_output_keeps_transpose.ir": ("sink-transpose", "the transposed 't' is a graph output"),
    "transposes/cancelling_pair_is_graph_output.ir":
      ("compose-transposes", "the two Transposes cancel, but 'y' is a graph output and what they transpose"),
    "transposes/computed_operand_not_transposed_kept.ir": ("sink-transpose", nil),
    "transposes/chain_with_foreign_operand_kept.ir":
      ("sink-transpose", "is also read by Add \"add\", which needs it transposed"),
  ]

  static var cases: [GoldenCase] {
    GoldenCase.all().filter { $0.mustNotFire != nil && $0.testDescription.hasPrefix("transposes/") }
  }

  @Test func everyCaseIsListed() {
    #expect(Set(Self.cases.map(\.testDescription)) == Set(Self.expectedReasons.keys))
  }

  @Test(arguments: cases)
  func declinesForItsReason(_ golden: GoldenCase) throws {
    let run = try PassRun(golden.passes, on: try TextFormat.parse(golden.input))
    let expected = try #require(Self.expectedReasons[golden.testDescription])
    let reasons = run.declines(of: expected.pattern).map(\.reason)
    guard let phrase = expected.reason else {
      #expect(reasons.isEmpty, "declines: \(reasons)")
      return
    }
    #expect(reasons.contains { $0.contains(phrase) }, "no decline says '\(phrase)'; declines: \(reasons)")
  }
}
