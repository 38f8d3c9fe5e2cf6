import ResIR
import ResPasses
import Testing

/// The must-not-fire golden cases of `fold-pad-into-conv` decline for the reason they are named after (the
/// golden harness proves the graph did not change and the numbers agree; this proves which guard stopped it).
@Suite struct PadIntoConvDeclineTests {
  static let expectedReasons: [String: String] = [
    "pad-into-conv/channel_pad_not_folded.ir": "the Pad pads the batch or channel axis",
    "pad-into-conv/declared_symbolic_size_not_folded.ir": "the Conv's declared output size is a symbol the folded Conv would not infer",
    "pad-into-conv/negative_pad_not_folded.ir": "the Pad crops (a negative pad)",
    "pad-into-conv/nonzero_fill_not_folded.ir": "the Pad fills with something other than a constant 0",
    "pad-into-conv/reflect_not_folded.ir": "the Pad's mode is reflect, not constant",
  ]

  static var cases: [GoldenCase] {
    GoldenCase.all().filter { $0.mustNotFire != nil && $0.testDescription.hasPrefix("pad-into-conv/") }
  }

  @Test func everyCaseIsListed() {
    #expect(Set(Self.cases.map(\.testDescription)) == Set(Self.expectedReasons.keys))
  }

  @Test(arguments: cases)
  func declinesForItsReason(_ golden: GoldenCase) throws {
    let run = try PassRun(golden.passes, on: try TextFormat.parse(golden.input))
    let reasons = run.declines(of: "fold-pad-into-conv").map(\.reason)
    let phrase = try #require(Self.expectedReasons[golden.testDescription])
    #expect(reasons.contains { $0.contains(phrase) }, "no decline says '\(phrase)'; declines: \(reasons)")
  }
}
