/// One call of `IndirectGemmMicrokernel6x16`: a 6-position × 16-channel tile of a channels-last convolution,
/// `C[0..<rows, 0..<columns] = epilogue(Σ_tap Σ_c A_tap[row][c] · B[c, tap])`.
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
  /// `taps × 6` row pointers, tap-major: row `r` of tap `t` at `indirection[t · 6 + r]`.
  public var indirection: UnsafePointer<UnsafePointer<Float>>
  /// The weight panel's first vector (tap 0, channel 0).
  public var b: UnsafePointer<Float>
  /// C's element (0, 0); rows (output positions) `cRowStride` floats apart, columns (output channels)
  /// contiguous.
  public var c: UnsafeMutablePointer<Float>
  public var cRowStride: Int
  /// Valid rows (`1...6`) and columns (`1...16`).
  public var rows: Int
  public var columns: Int
  public var epilogue: TileEpilogue

  public init(
    taps: Int, channels: Int, indirection: UnsafePointer<UnsafePointer<Float>>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, cRowStride: Int, rows: Int, columns: Int, epilogue: TileEpilogue
  ) {
    self.taps = taps
    self.channels = channels
    self.indirection = indirection
    self.b = b
    self.c = c
    self.cRowStride = cRowStride
    self.rows = rows
    self.columns = columns
    self.epilogue = epilogue
  }

  /// The same tile as a GEMM tile for the finishing code it shares with `GemmMicrokernel6x16` (A unused).
  var gemmTile: GemmTile {
    GemmTile(
      depth: 0, a: b, b: b, c: c, cRowStride: cRowStride, rows: rows, columns: columns, accumulate: false,
      epilogue: epilogue)
  }
}
