import ResIR
import ResPasses
import Testing

/// Golden directories whose must-not-fire cases name in their header the exact reason their pattern gives
/// (the golden harness proves the graph did not change; this proves which guard stopped it).
@Suite struct HeaderReasonDeclineTests {
  /// Each directory of `Tests/PassGolden` and the pattern its must-not-fire cases are about.
  static let directories = [
    ("groups/", "widen-narrow-groups"), ("pooling/", "recognize-global-average-pool"), ("taps/", "trim-padded-taps"),
    ("channel-scale/", "fold-channel-scale"), ("round-trip/", "elide-integer-round-trip"),
    ("zero-point/", "fold-zero-point-shift"), ("requantization/", "fuse-requantization"),
    ("per-channel-requantization/", "requantize-per-channel"),
  ]

  static var cases: [(golden: GoldenCase, pattern: String)] {
    directories.flatMap { directory, pattern in
      GoldenCase.all().filter { $0.mustNotFire != nil && $0.testDescription.hasPrefix(directory) }.map { ($0, pattern) }
    }
  }

  @Test func everyDirectoryHasMustNotFireCases() {
    for (directory, _) in Self.directories {
      #expect(Self.cases.contains { $0.golden.testDescription.hasPrefix(directory) }, "\(directory)")
    }
  }

  @Test func everyCaseDeclinesForTheReasonInItsHeader() throws {
    for (golden, pattern) in Self.cases {
      let run = try PassRun(golden.passes, on: try TextFormat.parse(golden.input))
      let reasons = run.declines(of: pattern).map(\.reason)
      let phrase = try #require(golden.mustNotFire)
      #expect(reasons.contains(phrase), "\(golden.testDescription): no decline says '\(phrase)'; declines: \(reasons)")
    }
  }
}
