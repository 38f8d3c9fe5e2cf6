/// One call of the channels-last pooling microkernel: `positions` consecutive output positions of one row,
/// every channel, each the maximum or the mean of the listed taps.
///
/// As in `ChannelsLastDepthwiseTile`, taps outside the input are not listed: the maximum never sees
/// padding and the mean's divisor is the caller's (padded cells counted or not).
public struct ChannelsLastPoolTile {
  /// What each output is.
  public enum Reduction: Sendable {
    /// The largest listed value; NaN when any listed value is NaN (as `PoolMicrokernel4x16`), −∞ with no taps.
    case maximum
    /// The sum of the listed values in tap order, divided by `divisor`.
    case mean(divisor: Float)
  }

  /// Window origin of the first position at channel 0 (it may lie in the padding; only listed taps are read).
  public var input: UnsafePointer<Float>
  /// Floats between the window origins of consecutive positions.
  public var positionStride: Int
  /// Float offsets of the taps from a window origin.
  public var taps: UnsafePointer<Int>
  public var tapCount: Int
  public var channels: Int
  public var positions: Int
  /// The first position at channel 0; positions `channels` floats apart.
  public var output: UnsafeMutablePointer<Float>
  public var reduction: Reduction

  public init(
    input: UnsafePointer<Float>, positionStride: Int, taps: UnsafePointer<Int>, tapCount: Int, channels: Int,
    positions: Int, output: UnsafeMutablePointer<Float>, reduction: Reduction
  ) {
    self.input = input
    self.positionStride = positionStride
    self.taps = taps
    self.tapCount = tapCount
    self.channels = channels
    self.positions = positions
    self.output = output
    self.reduction = reduction
  }
}
