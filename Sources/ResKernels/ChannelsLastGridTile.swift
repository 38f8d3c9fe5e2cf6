/// One call of a channels-last grid microkernel: `C[0..<rows, 0..<columns] = epilogue(Σₖ x(k, i) · B[k, j])`
/// for one tile of an image stem that reads its input row-major and writes channels-last, where
/// `x(k, i) = input[i + offsets[k]]` for rows (output positions) `i < rows` and `B[k, j]` is output channel
/// `j`'s weight of reduction step `k` (one input channel and window tap).
///
/// `input` is the tile's first output position on the stride-phase grid the row-major `grid` method also
/// reads (see `GridConvTile`): consecutive positions of an output row are consecutive grid cells, so the
/// `rows` values of one step are adjacent floats, each broadcast against the step's weight vectors. B is the
/// convolution's weights in 16-channel panels (`b[k·16 + j]`, the next panel `bPanelStride` floats on, zero
/// past the last channel), the layout of the channels-last GEMM method. Rows (positions) of C are
/// `cRowStride` floats apart and its columns (channels) contiguous: the channels-last output, stored whole
/// vectors at a time where the row-major grid tile's 16 positions would have been 16 scattered floats here.
public struct ChannelsLastGridTile {
  /// Reduction steps: input channels × window taps.
  public var depth: Int
  public var input: UnsafePointer<Float>
  /// `depth` offsets from `input`, one per reduction step.
  public var offsets: UnsafePointer<Int>
  public var b: UnsafePointer<Float>
  /// Floats from one 16-channel weight panel to the next.
  public var bPanelStride: Int
  public var c: UnsafeMutablePointer<Float>
  public var cRowStride: Int
  /// Valid rows (positions, `1...MR`) and columns (channels, `1...NR`). Rows past `rows` read the last valid
  /// position's inputs again and are never stored.
  public var rows: Int
  public var columns: Int
  public var epilogue: TileEpilogue?

  public init(
    depth: Int, input: UnsafePointer<Float>, offsets: UnsafePointer<Int>, b: UnsafePointer<Float>,
    bPanelStride: Int, c: UnsafeMutablePointer<Float>, cRowStride: Int, rows: Int, columns: Int,
    epilogue: TileEpilogue?
  ) {
    self.depth = depth
    self.input = input
    self.offsets = offsets
    self.b = b
    self.bPanelStride = bPanelStride
    self.c = c
    self.cRowStride = cRowStride
    self.rows = rows
    self.columns = columns
    self.epilogue = epilogue
  }

  /// The width of each weight panel, and of each block of columns a tile stores at once.
  public static let panelWidth = 16

  /// The input of row `row`, or of the last valid row past them.
  @inline(__always)
  func rowInput(_ row: Int) -> UnsafePointer<Float> {
    input + Swift.min(row, rows - 1)
  }

  /// The whole tile as a GEMM tile, for `WholeTileStore`.
  var wholeTile: GemmTile {
    GemmTile(
      depth: depth, a: b, b: b, c: c, cRowStride: cRowStride, rows: rows, columns: columns, accumulate: false,
      epilogue: epilogue)
  }

  /// Panel `panel`'s six rows as a GEMM tile, for the finishing code the GEMM kernels share
  /// (`GemmMicrokernel6x16.finish`): C, bias and residual 16 channels per panel on. Nil past the valid
  /// columns.
  @inline(__always)
  func panel(_ panel: Int) -> GemmTile? {
    let first = panel * Self.panelWidth
    guard first < columns else { return nil }
    var epilogue = self.epilogue
    if var shifted = epilogue {
      shifted.bias = shifted.bias.map { $0 + first * shifted.biasColumnStride }
      shifted.residual = shifted.residual.map { $0 + first }
      epilogue = shifted
    }
    return GemmTile(
      depth: depth, a: b, b: b, c: c + first, cRowStride: cRowStride, rows: rows,
      columns: Swift.min(Self.panelWidth, columns - first), accumulate: false, epilogue: epilogue)
  }
}
