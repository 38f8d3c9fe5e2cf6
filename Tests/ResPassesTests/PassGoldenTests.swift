import Foundation
import ResIR
import ResPasses
import ResReference
import ResTestSupport
import Testing

/// Golden pass tests (DESIGN.md §6, layer 1). For every case file: the input verifies; the passes run; the
/// result verifies, prints exactly as expected, computes the same numbers as the input on the reference
/// evaluator with seeded inputs, and running the passes again changes nothing (idempotence). A case whose
/// expected text equals its input is a must-not-fire case, and the same checks prove nothing changed.
///
/// `RECORD_GOLDEN=1 swift test --filter PassGoldenTests` rewrites the expected sections and fails the run, so
/// every recording is reviewed as a diff.
@Suite struct PassGoldenTests {
  static let recording = ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1"

  @Test func thereAreGoldenCases() {
    #expect(GoldenCase.all().count >= 2, "no golden files found under \(GoldenCase.directory)")
  }

  @Test(arguments: GoldenCase.all())
  func golden(_ golden: GoldenCase) throws {
    let input = try TextFormat.parse(golden.input)
    try Verifier.verify(input)
    let passes = try golden.passes.map { name in
      try #require(Pipeline.pass(named: name), "unknown pass '\(name)'; known: \(Pipeline.allNames)")
    }
    #expect(!passes.isEmpty, "the case names no passes")

    let output = try run(passes, on: input)
    let printed = TextFormat.print(output)
    if Self.recording {
      try golden.recorded(printed).write(toFile: golden.path, atomically: true, encoding: .utf8)
      Issue.record("recorded \(golden.testDescription); review the diff and run again without RECORD_GOLDEN")
      return
    }
    #expect(printed == golden.expected, "\(golden.testDescription): printed result differs:\n\(printed)")
    if let reason = golden.mustNotFire {
      #expect(printed == TextFormat.print(input), "must not fire (\(reason)), but the graph changed")
    }
    #expect(TextFormat.print(try run(passes, on: output)) == printed, "not idempotent")
    try expectSameNumbers(input, output)
  }

  private func run(_ passes: [any GraphPass], on graph: Graph) throws -> Graph {
    var result = graph
    var context = PassContext()
    try PassManager(passes: passes, verifyEach: true).run(&result, context: &context)
    return result
  }

  /// Both graphs computed by the reference evaluator on the same seeded inputs agree to float32 rounding.
  private func expectSameNumbers(_ before: Graph, _ after: Graph) throws {
    let inputs = try SeededInputs.make(for: before, seed: 7)
    let expected = try ReferenceEvaluator.evaluate(before, inputs: inputs)
    let actual = try ReferenceEvaluator.evaluate(after, inputs: inputs)
    #expect(actual.count == expected.count)
    for (a, e) in zip(actual, expected) {
      let comparison = ToleranceComparison(actual: a, expected: e, rtol: 1e-5, atol: 1e-6)
      #expect(comparison.passed, "\(comparison)")
    }
  }
}
