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
/// rounds). Several tiles share a panel when the column tile has enough of them (`partsPerPanel`). The hints
/// change no result.
struct WeightPrefetchOrder: Equatable {
  /// The output channels the task computes, in 16-wide panels.
  var columns: Range<Int>
  /// Input channels of the group, summed in blocks of `channelBlock`.
  var channelsPerGroup: Int
  var channelBlock: Int
  /// The block of positions is not the task's last: after the last channel block, the next block of
  /// positions starts again at the first.
  var morePositionBlocks: Bool
  /// Kernel tiles per column tile of the block (its positions over the kernel's six).
  var tilesPerColumnTile: Int
  /// Output channels per weight panel, and panels per column tile of the kernel that takes hints.
  static let panelWidth = IndirectGemmMicrokernel6x64.panelWidth
  static let panelsPerColumnTile = IndirectGemmMicrokernel6x64.lanes / panelWidth
  /// The most tiles that share one panel's hints (`partsPerPanel`).
  static let maximumPartsPerPanel = 8

  /// How many tiles share each panel's hints, each hinting its own consecutive part of the panel's lines at
  /// a proportionally lower rate (`IndirectGemmTile.prefetchStep`): the most, a power of two up to
  /// `maximumPartsPerPanel`, whose tiles the column tile has.
  ///
  /// With one tile per panel the first four tiles of a column tile asked for a line per reduction step,
  /// faster than one core's memory stream delivers, and the rest asked for nothing; spread over every tile
  /// the requests arrive at the rate the tiles consume weights. A 7x7 output (nine tiles, two parts per
  /// panel), ResNet-18 in the network, Sapphire Rapids, paired ratios over 10–12 alternating rounds, one
  /// thread: layer4.0.conv1 (3x3/2 256→512) 0.89–0.91 of its time, its 512-channel 3x3s run as the indirect
  /// GEMM 0.85–0.87; one-layer chains of dilated 3x3 + ReLU: 512 channels at 7x7 0.91, 256 at 14x14 (33
  /// tiles, eight parts) 0.93–0.96 (four parts 0.95–0.98), 256 at 28x28 (weights resident in L2) 0.98–1.0;
  /// two threads 0.97–0.98.
  /// Where one tile hints every panel (`hintsWholeColumnTile`), the most tiles, a power of two, that
  /// share those hints.
  var partsPerPanel: Int {
    let panelsPerTile = hintsWholeColumnTile ? 1 : Self.panelsPerColumnTile
    var parts = 1
    while parts * 2 <= Self.maximumPartsPerPanel && parts * 2 * panelsPerTile <= tilesPerColumnTile {
      parts *= 2
    }
    return parts
  }

  /// Whether each hinting tile hints all four panels of the next column tile, a line of each per reduction
  /// step (`IndirectGemmTile.prefetchPanelStride`), where the column tile has fewer tiles than panels (an
  /// output plane of at most 18 positions): one panel per tile left the panels past its tiles' to arrive
  /// from memory only when read.
  var hintsWholeColumnTile: Bool { tilesPerColumnTile < Self.panelsPerColumnTile }

  /// The panels a hint from output channel `column` covers: four when `hintsWholeColumnTile` and the task has
  /// four panels from there, else one.
  func panelsHinted(from column: Int) -> Int {
    let whole = Self.panelsPerColumnTile
    return hintsWholeColumnTile && column + whole * Self.panelWidth <= columns.upperBound ? whole : 1
  }

  /// The first output channel of the weight panel, the first input channel of the region and which of its
  /// `partsPerPanel` parts tile `tile` of a column tile hints, where the next column tile starts at output
  /// channel `nextColumn` and the current one sums the channel block from `firstChannel`: part `tile %
  /// parts` of panel `tile / parts` of the next column tile (past the task's channels, of the next channel
  /// block's first column tile), nil past its panels or when nothing follows.
  func region(tile: Int, nextColumn: Int, firstChannel: Int) -> (column: Int, channel: Int, part: Int)? {
    let parts = partsPerPanel
    guard tile < (hintsWholeColumnTile ? parts : Self.panelsPerColumnTile * parts) else { return nil }
    let offset = hintsWholeColumnTile ? 0 : tile / parts * Self.panelWidth
    let part = tile % parts
    if nextColumn < columns.upperBound {
      return nextColumn + offset < columns.upperBound ? (nextColumn + offset, firstChannel, part) : nil
    }
    guard columns.lowerBound + offset < columns.upperBound else { return nil }
    let nextChannel = firstChannel + channelBlock
    if nextChannel < channelsPerGroup { return (columns.lowerBound + offset, nextChannel, part) }
    return morePositionBlocks ? (columns.lowerBound + offset, 0, part) : nil
  }
}
