import Foundation
import ResIR
import ResONNX
import ResPasses
import ResReference
import ResTestSupport
import Testing

/// `recognize-option-a-shortcut` on every committed model fixture, after `canonicalize`: the graph verifies
/// after every pass, the pattern fires exactly where a fixture has option-A shortcuts (the two downsampling
/// blocks of `resnet_cifar_option_a`, nowhere else), and where it fired the reference evaluator computes the
/// same outputs as before on the fixture's own test inputs. A fixture where it did not fire is unchanged by
/// it (the pattern changes nothing it does not apply to), so only those are evaluated. Prints what fired and
/// the decline reasons per fixture.
@Suite struct ProjectionFixtureTests {
  static let passes = ["canonicalize", "recognize-option-a-shortcut", "dead-code"]
  static let expectedShortcuts = ["resnet_cifar_option_a": 2]

  @Test func thereAreFixtures() {
    #expect(FixtureList.names().contains("resnet_cifar_option_a"))
  }

  @Test(arguments: FixtureList.names())
  func recognitionKeepsOutputs(_ name: String) throws {
    let fixture = try FixtureList.fixture(named: name)
    let imported = try ONNXImporter.importModel(at: fixture.folder + "/model.onnx").graph
    let run = try PassRun(Self.passes, on: imported)
    let fired = run.applied("recognize-option-a-shortcut")
    let declines = run.declines(of: "recognize-option-a-shortcut").map { "\($0.node): \($0.reason)" }
    print("\(name): recognize-option-a-shortcut ×\(fired)" + declines.map { "\n  declined \($0)" }.joined())
    #expect(fired == Self.expectedShortcuts[name, default: 0])
    guard fired > 0 else { return }
    #expect(run.graph.count(of: "Slice") == 0 && run.graph.count(of: "Pad") == 0)
    #expect(run.graph.count(of: "Conv") == imported.count(of: "Conv") + fired)
    let inputs = try fixture.testInputs()
    let before = try ReferenceEvaluator.evaluate(imported, inputs: inputs)
    let after = try ReferenceEvaluator.evaluate(run.graph, inputs: inputs)
    #expect(after.count == before.count)
    for (index, (actual, expected)) in zip(after, before).enumerated() {
      // Exact for finite inputs: the tolerance only absorbs a different summation order in the evaluator.
      let comparison = ToleranceComparison(actual: actual, expected: expected, rtol: 1e-6, atol: 1e-7)
      #expect(comparison.passed, "\(name) output \(index): \(comparison)")
    }
  }
}
