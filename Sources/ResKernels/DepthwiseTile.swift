/// One call of a depthwise-convolution microkernel: one channel's output at up to 4 rows × 16 consecutive
/// columns (the vector lanes), summed over every tap of that channel's window, epilogue applied.
///
/// The input is a zero-padded copy of the channel's plane with room after it, so every tap of every lane is
/// a plain read: at column stride 1 a vector load, at stride 2 the even lanes of a double-width load (both
/// read past the last valid column, into the next row or the room after the plane), at other strides a
/// gather of the valid lanes only.
public struct DepthwiseTile {
  /// Window origin of the tile's row 0, column 0 in the padded plane.
  public var input: UnsafePointer<Float>
  /// Floats between the window origins of consecutive output rows (row stride × padded width).
  public var inputRowStride: Int
  /// Floats between the window origins of consecutive output columns.
  public var columnStride: Int
  /// Offsets of the window's taps from its origin, and one weight per tap.
  public var taps: UnsafePointer<Int>
  public var weights: UnsafePointer<Float>
  public var tapCount: Int
  /// Output row 0, column 0 of the tile; rows `outputRowStride` apart.
  public var output: UnsafeMutablePointer<Float>
  public var outputRowStride: Int
  /// Valid rows (`1...4`) and columns (`1...16`); nothing else is written.
  public var rows: Int
  public var columns: Int
  /// The epilogue (DESIGN.md §5): the channel's bias, then the residual (the output's layout, at the tile's
  /// row 0, column 0), then the activation.
  public var bias: Float
  public var residual: UnsafePointer<Float>?
  public var activation: PointwiseFunction

  public init(
    input: UnsafePointer<Float>, inputRowStride: Int, columnStride: Int, taps: UnsafePointer<Int>,
    weights: UnsafePointer<Float>, tapCount: Int, output: UnsafeMutablePointer<Float>, outputRowStride: Int,
    rows: Int, columns: Int, bias: Float, residual: UnsafePointer<Float>?, activation: PointwiseFunction
  ) {
    self.input = input
    self.inputRowStride = inputRowStride
    self.columnStride = columnStride
    self.taps = taps
    self.weights = weights
    self.tapCount = tapCount
    self.output = output
    self.outputRowStride = outputRowStride
    self.rows = rows
    self.columns = columns
    self.bias = bias
    self.residual = residual
    self.activation = activation
  }
}
