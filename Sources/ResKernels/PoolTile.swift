/// One call of a pooling microkernel: one plane's output at up to 4 rows × 16 consecutive columns (the
/// vector lanes), each the maximum or the mean of its window.
///
/// Like `DepthwiseTile`, the input is a padded copy of the plane (−∞ around it for a maximum, zeros for a
/// mean) with room after it, so every tap of every lane is a plain read.
public struct PoolTile {
  /// What each output is.
  public enum Reduction: Sendable {
    /// The largest value of the window; NaN when any value is NaN.
    case maximum
    /// The sum of the window times `scale` (one over the divisor).
    case mean(scale: Float)
  }

  /// Window origin of the tile's row 0, column 0 in the padded plane.
  public var input: UnsafePointer<Float>
  /// Floats between the window origins of consecutive output rows and columns.
  public var inputRowStride: Int
  public var columnStride: Int
  /// Offsets of the window's taps from its origin.
  public var taps: UnsafePointer<Int>
  public var tapCount: Int
  /// Output row 0, column 0 of the tile; rows `outputRowStride` apart.
  public var output: UnsafeMutablePointer<Float>
  public var outputRowStride: Int
  /// Valid rows (`1...4`) and columns (`1...16`); nothing else is written.
  public var rows: Int
  public var columns: Int
  public var reduction: Reduction

  public init(
    input: UnsafePointer<Float>, inputRowStride: Int, columnStride: Int, taps: UnsafePointer<Int>, tapCount: Int,
    output: UnsafeMutablePointer<Float>, outputRowStride: Int, rows: Int, columns: Int, reduction: Reduction
  ) {
    self.input = input
    self.inputRowStride = inputRowStride
    self.columnStride = columnStride
    self.taps = taps
    self.tapCount = tapCount
    self.output = output
    self.outputRowStride = outputRowStride
    self.rows = rows
    self.columns = columns
    self.reduction = reduction
  }
}
