import Foundation
import ResIR
import ResPasses
import Testing

/// The scale-folding must-not-fire golden cases stop at the guard they are named after: the golden harness
/// proves the graph did not change, this proves which guard stopped it. A nil phrase means the Mul is not a
/// candidate at all (no decline is recorded).
@Suite struct ScaleFoldDeclineTests {
  static let expectedReasons: [String: String?] = [
    "scale/activation_in_projections_kept.ir": "applies relu in its epilogue",
    "scale/both_heads_read_twice_kept.ir": "'qt' has 2 readers",
    "scale/computed_bias_kept.ir": "the bias 'b' of MatMul \"projection\" is computed",
    "scale/factor_not_power_of_two_kept.ir": "is not a power of two",
    "scale/integer_factor_kept.ir": "the factor 'c' is not a floating-point number",
    "scale/scale_broadcasts_kept.ir": "the scale broadcasts 's'",
    "scale/scale_computed_kept.ir": nil,
    "scale/scores_are_graph_output_kept.ir": "'s' is a graph output",
    "scale/scores_read_twice_kept.ir": "'s' has 2 readers",
    "scale/softmax_before_scale_kept.ir": "Softmax \"softmax\", which the factor does not pass through",
    "scale/vector_factor_kept.ir": nil,
    "scale/weight_would_underflow_kept.ir": "'w' scaled by 0.125 would round",
  ]

  static var cases: [GoldenCase] {
    GoldenCase.all().filter { $0.mustNotFire != nil && $0.testDescription.hasPrefix("scale/") }
  }

  @Test func everyCaseHasAReason() {
    #expect(Set(Self.cases.map(\.testDescription)) == Set(Self.expectedReasons.keys))
  }

  @Test(arguments: cases)
  func declinesForItsReason(_ golden: GoldenCase) throws {
    let run = try PassRun(golden.passes, on: try TextFormat.parse(golden.input))
    let reasons = run.declines(of: "fold-scale-into-projection").map(\.reason)
    let expected = try #require(
      Self.expectedReasons[golden.testDescription], "\(golden.testDescription) is not in expectedReasons")
    guard let phrase = expected else {
      #expect(reasons.isEmpty, "the Mul is not a candidate, yet it was declined: \(reasons)")
      return
    }
    #expect(reasons.contains { $0.contains(phrase) }, "no decline says '\(phrase)'; declines: \(reasons)")
  }
}
