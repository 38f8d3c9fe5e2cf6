import ResKernels

/// Which weights each tile of a channels-last indirect convolution hints into the second-level cache while it
/// computes (`IndirectGemmTile.prefetch`): the panels of the column tile that comes next.
///
/// `ChannelsLastConvolution` sweeps a block of positions column tile by column tile (64 output channels on
/// AVX-512), and every tile of a column tile reads the same weights, so only its first tile waits for them:
/// ResNet-50's stride-2 layers on 14x14 and 7x7 reduce over 512–4608 steps against 2.4–9.4 MB of weights that
/// come from memory once per run, and there the first tile of each column tile stalled on 295 KB at a
/// shared host's 13 GB/s. Hinting the next column tile's panels, one panel per tile and one 64-byte line per
/// reduction step (a panel of one channel block is exactly one line per step), the following column tile
/// finds its weights in cache: one thread, in the network, 7x7 3x3/2 512 channels 2.38 → 1.95 ms, 7x7 1x1/2
/// 1024→2048 3.03 → 2.77, 14x14 1x1/2 512→1024 1.73 → 1.59 (Sapphire Rapids, minima of six alternating
/// rounds). The hints change no result.
struct WeightPrefetchOrder: Equatable {
  /// The output channels the task computes, in 16-wide panels.
  var columns: Range<Int>
  /// Input channels of the group, summed in blocks of `channelBlock`.
  var channelsPerGroup: Int
  var channelBlock: Int
  /// The block of positions is not the task's last: after the last channel block, the next block of
  /// positions starts again at the first.
  var morePositionBlocks: Bool
  /// Output channels per weight panel, and panels per column tile of the kernel that takes hints.
  static let panelWidth = IndirectGemmMicrokernel6x64.panelWidth
  static let panelsPerColumnTile = IndirectGemmMicrokernel6x64.lanes / panelWidth

  /// The first output channel of the weight panel and the first input channel of the region that tile `tile`
  /// of a column tile hints, where the next column tile starts at output channel `nextColumn` and the
  /// current one sums the channel block from `firstChannel`: panel `tile` of the next column tile (past the
  /// task's channels, of the next channel block's first column tile), nil past its panels or when nothing
  /// follows.
  func region(tile: Int, nextColumn: Int, firstChannel: Int) -> (column: Int, channel: Int)? {
    guard tile < Self.panelsPerColumnTile else { return nil }
    let offset = tile * Self.panelWidth
    if nextColumn < columns.upperBound {
      return nextColumn + offset < columns.upperBound ? (nextColumn + offset, firstChannel) : nil
    }
    guard columns.lowerBound + offset < columns.upperBound else { return nil }
    let nextChannel = firstChannel + channelBlock
    if nextChannel < channelsPerGroup { return (columns.lowerBound + offset, nextChannel) }
    return morePositionBlocks ? (columns.lowerBound + offset, 0) : nil
  }
}
