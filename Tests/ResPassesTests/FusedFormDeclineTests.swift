import Foundation
import ResIR
import ResPasses
import Testing

/// The must-not-fire golden cases of `recognize-layernorm`, `fuse-add-layernorm`, `fuse-gated-skip` and of the epilogue fusion on
/// ScaleShift decline for the reason they are named after (the golden harness proves the graph did not
/// change; this proves which guard stopped it). nil: no candidate at all, because the expression is not the
/// fused form (nothing to explain).
@Suite struct FusedFormDeclineTests {
  static let expectedReasons: [String: String?] = [
    "layernorm/layernorm_already_adds_residual_not_fused.ir": "fuse-add-layernorm: it already adds a residual",
    "layernorm/pitfall11_sum_is_graph_output_not_fused.ir": "the sum of the Add \"add\": 's' is a graph output",
    "layernorm/pitfall12_broadcasting_add_not_fused.ir":
      "the Add \"add\" adds 'x' f32[1,4,8] and 'pos' f32[1,8]: not provably one shape",
    "layernorm/pitfall21_different_symbols_not_fused.ir": "adds 'x' f32[N,4,8] and 'r' f32[M,4,8]",
    "layernorm/pitfall22_unknown_dims_not_fused.ir": "adds 'u' f32[?,4,8] and 'x' f32[N,4,8]",
    "layernorm/pre_ln_residual_stream_not_fused.ir": "the sum of the Add \"residual1\": 's' has 2 readers",
    "layernorm/written_out_cube_not_recognized.ir": nil,
    "layernorm/written_out_mean_of_other_tensor_not_recognized.ir": nil,
    "layernorm/written_out_non_trailing_axis_not_recognized.ir": nil,
    "layernorm/written_out_variance_read_elsewhere_not_recognized.ir":
      "recognize-layernorm: the LayerNorm's intermediate 'v' is a graph output",
    "highway/constant_not_exactly_one_not_fused.ir": "subtracts T from 'almost', which is not exactly 1",
    "highway/integer_data_not_fused.ir": "the gated skip computes int64",
    "highway/interpolated_difference_two_readers_not_fused.ir": "intermediate 'd' is a graph output",
    "highway/interpolated_other_subtrahend_not_recognized.ir": nil,
    "highway/minuend_computed_not_fused.ir": "subtracts T from 'one', which is not a constant",
    "highway/ones_tensor_with_a_two_not_fused.ir": "subtracts T from 'ones', which is not exactly 1",
    "highway/pitfall10_product_two_readers_not_fused.ir": "intermediate 'th' has 2 readers",
    "highway/pitfall11_carry_is_graph_output_not_fused.ir": "intermediate 'carry' is a graph output",
    "highway/pitfall12_ones_enlarging_result_not_fused.ir": "do not provably broadcast to the Add's type f32[2,8]",
    "highway/pitfall21_different_symbols_not_fused.ir": "do not provably broadcast to the Add's type f32[?,8]",
    "highway/reversed_sub_not_recognized.ir": nil,
    "scaleshift/constant_add_not_folded_into_shift.ir": "fold-bias-add: ScaleShift \"bn\" has no bias operand",
  ]

  static var cases: [GoldenCase] {
    GoldenCase.all().filter { golden in
      golden.mustNotFire != nil && ["layernorm/", "highway/", "scaleshift/"].contains { golden.testDescription.hasPrefix($0) }
    }
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
    let entry = try #require(
      Self.expectedReasons[golden.testDescription], "\(golden.testDescription) is not in expectedReasons")
    guard let phrase = entry else {
      #expect(reasons.isEmpty, "no pattern should consider these nodes, but: \(reasons)")
      return
    }
    #expect(reasons.contains { $0.contains(phrase) }, "no decline says '\(phrase)'; declines: \(reasons)")
  }
}
