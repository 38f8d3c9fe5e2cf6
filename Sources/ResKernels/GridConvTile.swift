/// One call of a grid-convolution microkernel: `C[0..<rows, 0..<columns] = epilogue(Σₖ A[i, k] · x(k, j))`
/// for one `MR × NR` tile, where `x(k, j) = input[offsets[k] + j]`.
///
/// `input` is the tile's first output position on the caller's grid (see `GridConvMicrokernel6x16`), so
/// reduction step `k` (one input channel and window tap) reads `NR` consecutive floats at a fixed offset:
/// B is the convolution's input in place, never packed. `a` is an `MR`-row panel (`a[k·MR + i]`, zero past
/// the valid rows), the GEMM's layout. Lanes past `columns` may read anything readable and are not stored.
public struct GridConvTile {
  /// Reduction steps: input channels × window taps.
  public var depth: Int
  public var a: UnsafePointer<Float>
  public var input: UnsafePointer<Float>
  /// `depth` offsets from `input`, one per reduction step.
  public var offsets: UnsafePointer<Int>
  /// C's element (0, 0) for this tile; rows are `cRowStride` floats apart, columns contiguous.
  public var c: UnsafeMutablePointer<Float>
  public var cRowStride: Int
  /// Valid rows (`1...MR`) and columns (`1...NR`) of this tile.
  public var rows: Int
  public var columns: Int
  public var epilogue: TileEpilogue?

  public init(
    depth: Int, a: UnsafePointer<Float>, input: UnsafePointer<Float>, offsets: UnsafePointer<Int>,
    c: UnsafeMutablePointer<Float>, cRowStride: Int, rows: Int, columns: Int, epilogue: TileEpilogue?
  ) {
    self.depth = depth
    self.a = a
    self.input = input
    self.offsets = offsets
    self.c = c
    self.cRowStride = cRowStride
    self.rows = rows
    self.columns = columns
    self.epilogue = epilogue
  }
}
