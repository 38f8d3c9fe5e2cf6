/// Which of the 3×3 convolutions that Winograd could compute it does compute, where the faster method is a
/// property of the machine rather than of the geometry: a 3×3 at stride 2 (`ConvMethod`'s stride-2 transform)
/// and a wide one on a small plane (F(2×2) tiles: ResNet's 7×7 stage). There Winograd saves the fewest
/// multiply-adds (1.7x fewer at F(2×2), 2.25x at stride 2, against 4x at F(4×4)) and reads the most weight
/// bytes (16/9 and 4x the filters), so it wins where multiply-adds are dear and loses where they are cheap
/// against memory traffic:
///
/// - Zen 3 (AVX2) and Zen 4 (AVX-512 on 256-bit units): Winograd a sixth to a third faster. Stride 2 on Zen 3,
///   ResNet-50's layer2.0 and layer3.0 3x3/2, one thread: 2.49 → 1.86 and 2.52 → 2.11 ms; F(2x2) on Zen 4,
///   chains of four 512-channel 3x3 + ReLU at 7x7: 9.16 → 6.71 ms.
/// - Sapphire Rapids (two 512-bit FMA units): the indirect GEMM faster, with the weight hints spread over a
///   column tile's tiles (`WeightPrefetchOrder.partsPerPanel`). In the network, paired ratios of the step's
///   time, indirect GEMM ÷ Winograd, one / two threads: ResNet-18 layer3.0.conv1 0.75 / 0.69, layer2.0.conv1
///   1.04 / 0.85, its three 512-channel 3x3s at 7x7 0.82 / 0.98; ResNet-50 layer3.0.conv2 0.75 / 0.83,
///   layer2.0.conv2 0.95 / 0.91, its 512-channel 3x3s at 7x7 0.83. Whole runs: ResNet-18 0.93 / 0.97,
///   ResNet-50 0.97 on one thread.
///
/// The compiler packs the weights for the reach of the machine it runs on (`CodegenOptions.winogradReach`,
/// which `ResCompiler` sets from `ResRuntime.MachineTuning`), and the runtime reads the reach back from how a
/// step's weights are packed (`followingPlan`), so a plan runs the methods it was packed for on any machine.
public enum WinogradReach: String, Sendable, Hashable, CaseIterable {
  /// Winograd wherever `ConvMethod`'s geometry rules allow it: at stride 2 with enough channels, and on F(2×2)
  /// planes below `ConvMethod.wideSmallTileWinogradChannelPairs`.
  case broad
  /// The indirect GEMM for every 3×3 at stride 2 and for F(2×2) planes from
  /// `ConvMethod.narrowSmallTileWinogradChannelPairs`.
  case narrow

  /// The reach a step's weights were packed for, read from their recorded layout: transformed weights were
  /// packed for Winograd, which `broad` chooses wherever `narrow` does; panels for the GEMM, which `narrow`
  /// chooses wherever `broad` does. Nil when the weights are stored unpacked (any reach reads them).
  public static func followingPlan(_ packing: PanelLayout?) -> WinogradReach? {
    guard let packing else { return nil }
    return packing.isTransformed ? .broad : .narrow
  }
}
