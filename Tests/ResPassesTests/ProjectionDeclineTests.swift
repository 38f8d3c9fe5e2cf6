import Foundation
import ResIR
import ResPasses
import Testing

/// The projection must-not-fire golden cases decline for the guard they are named after: the golden harness
/// proves the graph did not change, this proves which guard stopped it (not, say, a pattern that never looked
/// at the Pad). Each case lists a phrase `recognize-option-a-shortcut`'s decline reason must contain.
@Suite struct ProjectionDeclineTests {
  static let expectedReasons: [String: String] = [
    "projection/int64_tensor_kept.ir": "the tensor is int64; a convolution takes floating-point tensors",
    "projection/pad_edge_mode_kept.ir": "pad mode is edge",
    "projection/pad_reflect_mode_kept.ir": "pad mode is reflect",
    "projection/pad_value_computed_kept.ir": "the pad value 'v' is not a constant scalar",
    "projection/pad_value_nonzero_kept.ir": "the pad value is 0.5, not 0",
    "projection/pads_add_no_channels_kept.ir": "add no channels",
    "projection/pads_crop_channels_kept.ir": "crop channels",
    "projection/pads_on_batch_axis_kept.ir": "pads [1,1,0,0,0,1,0,0] also pad N; the shortcut pads only C",
    "projection/pads_on_spatial_axes_kept.ir": "pads [0,1,1,0,0,1,1,0] also pad H; the shortcut pads only C",
    "projection/rank3_kept.ir": "rank 3",
    "projection/slice_cuts_channels_kept.ir": "cuts axis 1 (channels)",
    "projection/slice_end_short_kept.ir": "keeps 2 of the 4 positions a stride of 2 reaches on axis 2",
    "projection/slice_negative_step_kept.ir": "has step -2 on axis 2",
    "projection/slice_result_is_graph_output_kept.ir": "'s' is a graph output: the Slice would stay",
    "projection/slice_result_read_elsewhere_kept.ir": "'s' has 2 readers",
    "projection/slice_start_offset_kept.ir": "starts at 1 on axis 2; a 1x1 strided convolution samples from index 0",
    "projection/slice_steps_computed_kept.ir": "axes or steps that are not constants",
    "projection/slice_takes_every_position_kept.ir": "the Slices keep every position",
    "projection/symbolic_spatial_size_kept.ir": "reads axis 2 of size H, which is not a number",
  ]

  static var cases: [GoldenCase] {
    GoldenCase.all().filter { $0.mustNotFire != nil && $0.testDescription.hasPrefix("projection/") }
  }

  @Test func everyCaseHasAReason() {
    #expect(Set(Self.cases.map(\.testDescription)) == Set(Self.expectedReasons.keys))
  }

  @Test(arguments: cases)
  func declinesForItsReason(_ golden: GoldenCase) throws {
    let run = try PassRun(golden.passes, on: try TextFormat.parse(golden.input))
    let reasons = run.declines(of: "recognize-option-a-shortcut").map(\.reason)
    let phrase = try #require(
      Self.expectedReasons[golden.testDescription], "\(golden.testDescription) is not in expectedReasons")
    #expect(reasons.contains { $0.contains(phrase) }, "no decline says '\(phrase)'; declines: \(reasons)")
  }
}
