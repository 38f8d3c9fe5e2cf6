import Foundation
import ResIR
import ResPasses
import Testing

/// The epilogue and transformer must-not-fire golden cases decline for the reason they are named after: the
/// golden harness proves the graph did not change, this proves the intended guard is what stopped it (and not,
/// say, a pattern that never looked at the node). Each case lists a phrase its decline reason must contain,
/// or nil when no pattern should consider the nodes at all (work on a conv's input, a Mul by data).
@Suite struct EpilogueDeclineTests {
  static let expectedReasons: [String: String?] = [
    "epilogue/activation_after_activation_not_fused.ir": "already applies relu in its epilogue",
    "epilogue/activation_clip_min_above_max_not_fused.ir": "min 1.0 is greater than its max 0.5",
    "epilogue/activation_through_movement_read_twice_not_fused.ir":
      "fuse-activation: the result of Transpose \"t\" between them: 't' has 2 readers",
    "epilogue/activation_silu_sigmoid_is_graph_output_not_fused.ir": "the Sigmoid's result 's' is a graph output",
    "epilogue/bias_after_activation_not_folded.ir": "fold-bias-add: Conv \"conv\" already applies relu",
    "epilogue/bias_constant_enlarging_result_not_folded.ir":
      "broadcasts the result f32[3,4] of MatMul \"mm\" to f32[2,3,4]",
    "epilogue/bias_existing_bias_computed_not_folded.ir": "the bias 'b' of Conv \"conv\" is computed, not a constant",
    "epilogue/bias_gemm_per_row_constant_not_folded.ir": "f32[2,1] varies along axis 0 of the result",
    "epilogue/pitfall10_activation_conv_output_two_readers_not_fused.ir":
      "fuse-activation: the result of Conv \"conv\": 'c' has 2 readers",
    "epilogue/pitfall10_bias_conv_output_two_readers_not_folded.ir":
      "fold-bias-add: the result of Conv \"conv\": 'c' has 2 readers",
    "epilogue/pitfall10_residual_conv_output_two_readers_not_fused.ir":
      "fuse-residual-add: the result of Conv \"conv\": 'c' has 2 readers",
    "epilogue/pitfall11_activation_conv_output_is_graph_output_not_fused.ir":
      "fuse-activation: the result of Conv \"conv\": 'c' is a graph output",
    "epilogue/pitfall11_bias_conv_output_is_graph_output_not_folded.ir":
      "fold-bias-add: the result of Conv \"conv\": 'c' is a graph output",
    "epilogue/pitfall11_residual_conv_output_is_graph_output_not_fused.ir":
      "fuse-residual-add: the result of Conv \"conv\": 'c' is a graph output",
    "epilogue/pitfall12_bias_c_vector_runs_along_width_not_folded.ir": "f32[4] varies along axis 3 of the result",
    "epilogue/pitfall12_broadcast_channel_input_not_residual.ir":
      "'s' f32[1,4,1,1] and the result f32[1,4,4,4] of Conv \"conv\" broadcast",
    "epilogue/pitfall12_broadcast_hw_constant_not_folded.ir": "f32[1,1,4,4] varies along axis 2 of the result",
    "epilogue/pitfall12_broadcast_hw_not_residual.ir":
      "'s' f32[1,1,4,4] and the result f32[1,4,4,4] of Conv \"conv\" broadcast",
    "epilogue/pitfall16_both_convs_ineligible_not_fused.ir":
      "Conv \"projection\" already applies relu in its epilogue, and the epilogue's activation comes last; Conv",
    "epilogue/pitfall16_conv_with_activation_not_residual.ir": "fuse-residual-add: Conv \"conv\" already applies relu",
    "epilogue/pitfall16_conv_with_residual_not_fused_again.ir": "Conv \"conv\" already adds a residual",
    "epilogue/pitfall17_clip_computed_bound_not_fused.ir": "Clip's min 'lo' is computed, not a constant",
    "epilogue/pitfall18_broadcast_on_conv_input_not_fused.ir": nil,
    "epilogue/pitfall19_negative_scale_after_relu_not_folded.ir": nil,
    "epilogue/pitfall19_se_gate_not_folded.ir": nil,
    "epilogue/pitfall21_different_symbols_not_fused.ir":
      "'s' f32[M,4,4,4] is not provably the shape of the result f32[N,4,4,4]",
    "epilogue/pitfall22_unknown_dims_not_fused.ir":
      "'u' f32[?,4,4,4] is not provably the shape of the result f32[N,4,4,4]",
    "epilogue/residual_skip_depends_on_conv_not_fused.ir":
      "the other operand 's' is computed from the result of Conv \"conv\"",
    "transformer/gelu_erf_constant_broadcasting_input_not_recognized.ir":
      "result f32[1,1,4,16] is not GELU's input type f32[1,4,16]",
    "transformer/gelu_erf_intermediate_read_elsewhere_not_recognized.ir":
      "the GELU's intermediate 'ge' is a graph output",
    "transformer/gelu_erf_wrong_constant_not_recognized.ir": nil,
    "transformer/gelu_tanh_intermediate_two_readers_not_recognized.ir": "the GELU's intermediate 's' has 2 readers",
    "transformer/gelu_tanh_wrong_cubic_coefficient_not_recognized.ir": nil,
  ]

  static var cases: [GoldenCase] {
    GoldenCase.all().filter { golden in
      golden.mustNotFire != nil
        && ["epilogue/", "transformer/"].contains { golden.testDescription.hasPrefix($0) }
    }
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
