import Foundation
import ResIR
import ResPasses
import Testing

/// The must-not-fire golden cases of `fuse-input-scale-shift` decline for the reason they are named after
/// (the golden harness proves the graph did not change; this proves which guard stopped it).
@Suite struct InputScaleShiftDeclineTests {
  static let expectedReasons: [String: String] = [
    "input-scale-shift/axis_not_channels_not_fused.ir": "runs along axis 2, not the channel axis 1",
    "input-scale-shift/graph_output_not_fused.ir": "'s' is a graph output",
    "input-scale-shift/input_from_conv_not_fused.ir": "X is the result of Conv \"prev\"",
    "input-scale-shift/grouped_conv_not_fused.ir": "has group 2; only an ungrouped conv",
    "input-scale-shift/pitfall18_padded_3x3_not_fused.ir": "has pads [1, 1, 1, 1]: zero padding would pad",
    "input-scale-shift/read_as_residual_not_fused.ir": "reads 's' as operand 3, not as its input",
    "input-scale-shift/reader_not_a_conv_not_fused.ir": "MaxPool \"pool\" reads it; only a Conv takes a prologue",
    "input-scale-shift/residual_epilogue_not_fused.ir": "adds a residual in its epilogue",
    "input-scale-shift/single_channel_not_fused.ir": "reads one channel",
    "input-scale-shift/two_convs_not_fused.ir": "'s' has 2 uses",
    "input-scale-shift/two_uses_not_fused.ir": "'s' has 2 uses",
    "input-scale-shift/unpadded_3x3_not_fused.ir": "only a 1x1 kernel takes a prologue",
    "input-scale-shift/weight_computed_not_fused.ir": "the weight of Conv \"conv\" is computed",
  ]

  static var cases: [GoldenCase] {
    GoldenCase.all().filter { $0.mustNotFire != nil && $0.testDescription.hasPrefix("input-scale-shift/") }
  }

  @Test func everyCaseIsListed() {
    #expect(Set(Self.cases.map(\.testDescription)) == Set(Self.expectedReasons.keys))
  }

  @Test(arguments: cases)
  func declinesForItsReason(_ golden: GoldenCase) throws {
    var graph = try TextFormat.parse(golden.input)
    var context = PassContext()
    let passes = try golden.passes.map { try #require(Pipeline.pass(named: $0)) }
    try PassManager(passes: passes).run(&graph, context: &context)
    let reasons = context.decisions.filter { $0.outcome == .declined }.map { "\($0.pattern): \($0.detail)" }
    let phrase = try #require(Self.expectedReasons[golden.testDescription], "\(golden.testDescription) is not listed")
    #expect(reasons.contains { $0.contains(phrase) }, "no decline says '\(phrase)'; declines: \(reasons)")
  }

  /// After the fusion, a ScaleShift before the conv may no longer fold into its weights: they multiply the
  /// prologue's output. The second ScaleShift of `two_scale_shifts_fuse_once` is declined for that.
  @Test func foldingDeclinesAConvWithAPrologue() throws {
    let golden = try #require(GoldenCase.all().first { $0.testDescription == "input-scale-shift/two_scale_shifts_fuse_once.ir" })
    var graph = try TextFormat.parse(golden.expected)
    var context = PassContext()
    try PassManager(passes: [try #require(Pipeline.pass(named: "fold-scale-shift-into-conv"))]).run(&graph, context: &context)
    let reasons = context.decisions.filter { $0.outcome == .declined }.map(\.detail)
    #expect(reasons.contains { $0.contains("has a prologue: its weights multiply the prologue's output") }, "\(reasons)")
    #expect(TextFormat.print(graph) == golden.expected, "the graph must not change")
  }
}
