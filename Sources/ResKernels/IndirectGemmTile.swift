/// One call of `IndirectGemmMicrokernel6x16`: a 6-position × 16-channel tile of a channels-last convolution,
/// `C[0..<rows, 0..<columns] (+)= epilogue(Σ_tap Σ_c A_tap[row][c] · B[c, tap])` over one block of input
/// channels.
///
/// A is read in place through an indirection table (XNNPACK's igemm): for each kernel tap, six pointers, one
/// per output position of the tile, at the first of `channels` contiguous input values of the position that
/// tap reads (or at a row of zeros where the window lies in the padding). Pointers of rows past `rows` repeat
/// a valid row, so the kernel never reads outside the input. B is the weights' 16-wide panel in ONNX order
/// (reduction step `c · taps + tap`): the vector of tap `t` and channel `c` is at `b + (c · taps + t) · 16`.
public struct IndirectGemmTile {
  /// Kernel taps, and input channels summed per tap.
  public var taps: Int
  public var channels: Int
  /// The first input channel summed: every row pointer is read from this offset on (the group's first
  /// channel, plus a block's first where the group's channels are summed in blocks: the table points at a
  /// position's channel 0, and its zero row is as long as all the channels, so it stays zero there).
  public var channelOffset: Int
  /// `taps × 6` row pointers, tap-major: row `r` of tap `t` at `indirection[t · 6 + r]`.
  public var indirection: UnsafePointer<UnsafePointer<Float>>
  /// The weight panel's first vector (tap 0, channel 0).
  public var b: UnsafePointer<Float>
  /// For a kernel spanning two 16-column panels (`IndirectGemmMicrokernel6x32`): floats from the first
  /// panel to the second. Ignored by one-panel kernels.
  public var bPanelStride: Int
  /// C's element (0, 0); rows (output positions) `cRowStride` floats apart, columns (output channels)
  /// contiguous.
  public var c: UnsafeMutablePointer<Float>
  public var cRowStride: Int
  /// Valid rows (`1...6`) and columns (`1...16`).
  public var rows: Int
  public var columns: Int
  /// Add to what C holds (a later block of input channels) instead of overwriting it.
  public var accumulate: Bool
  /// Applied to the finished sums: present only on the last block of input channels.
  public var epilogue: TileEpilogue?
  /// Weights a later tile will read, hinted into the second-level cache `prefetchStep` floats per reduction step
  /// by the kernels that take hints (`IndirectGemmMicrokernel6x64`): the next block of weights, which would
  /// otherwise arrive from memory only when the first tile reading it stalls on it.
  public var prefetch: UnsafePointer<Float>?
  /// Floats `prefetch` advances per reduction step: 16 hints a whole line each step; 16 / n hints each line
  /// n times over, so that n tiles share one panel's lines (`WeightPrefetchOrder.partsPerPanel`).
  public var prefetchStep = 16
  /// Floats between the panels hinted each step: a tile hints the line at `prefetch` and the lines
  /// 1, 2 and 3 times this many floats after it, so one tile can hint a whole four-panel column tile where a
  /// column tile has fewer tiles than panels (a plane of at most 18 positions). 0 hints one panel.
  public var prefetchPanelStride = 0

  public init(
    taps: Int, channels: Int, channelOffset: Int, indirection: UnsafePointer<UnsafePointer<Float>>, b: UnsafePointer<Float>,
    bPanelStride: Int = 0, c: UnsafeMutablePointer<Float>, cRowStride: Int, rows: Int, columns: Int, accumulate: Bool,
    epilogue: TileEpilogue?
  ) {
    self.taps = taps
    self.channels = channels
    self.channelOffset = channelOffset
    self.indirection = indirection
    self.b = b
    self.bPanelStride = bPanelStride
    self.c = c
    self.cRowStride = cRowStride
    self.rows = rows
    self.columns = columns
    self.accumulate = accumulate
    self.epilogue = epilogue
  }

  /// The same tile as a GEMM tile for the prefetching and finishing code it shares with `GemmMicrokernel6x16`
  /// (A unused).
  var gemmTile: GemmTile {
    GemmTile(
      depth: taps * channels, a: b, b: b, bPanelStride: bPanelStride, c: c, cRowStride: cRowStride, rows: rows, columns: columns, accumulate: accumulate,
      epilogue: epilogue)
  }
}
