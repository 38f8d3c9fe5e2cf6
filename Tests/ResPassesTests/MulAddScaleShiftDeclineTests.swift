import ResIR
import ResPasses
import Testing

/// The must-not-fire golden cases of `mul-add-to-scale-shift` stop at the guard they are named after (the
/// golden harness proves the graph did not change and the numbers agree; this proves which guard stopped it).
/// A rank-2 tensor is no candidate at all, so it declines nothing.
@Suite struct MulAddScaleShiftDeclineTests {
  static let expectedReasons: [String: String?] = [
    "mul-add-scale-shift/product_two_readers_kept.ir": "the product 'm' has other readers",
    "mul-add-scale-shift/offset_per_position_kept.ir": "the offset f32[4,4] is not one value per channel (3)",
    "mul-add-scale-shift/computed_factor_kept.ir": "the factor is computed, not a constant",
    "mul-add-scale-shift/layernorm_affine_rank2_kept.ir": nil,
  ]

  static var cases: [GoldenCase] {
    GoldenCase.all().filter { $0.mustNotFire != nil && $0.testDescription.hasPrefix("mul-add-scale-shift/") }
  }

  @Test func everyCaseIsListed() {
    #expect(Set(Self.cases.map(\.testDescription)) == Set(Self.expectedReasons.keys))
  }

  @Test(arguments: cases)
  func declinesForItsReason(_ golden: GoldenCase) throws {
    let run = try PassRun(golden.passes, on: try TextFormat.parse(golden.input))
    let reasons = run.declines(of: "mul-add-to-scale-shift").map(\.reason)
    guard let phrase = try #require(Self.expectedReasons[golden.testDescription]) else {
      #expect(reasons.isEmpty, "declines: \(reasons)")
      return
    }
    #expect(reasons.contains { $0.contains(phrase) }, "no decline says '\(phrase)'; declines: \(reasons)")
  }
}
