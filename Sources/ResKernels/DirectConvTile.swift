/// One call of a direct-convolution microkernel: up to 16 output channels (on the vector lanes) at up to 6
/// output positions, summed over `channels` input channels and every kernel tap, straight from the input.
///
/// Nothing is packed per run: the weights were packed once at load (for each reduction step `(c, tap)`, 16
/// consecutive output channels, zero past the valid ones) and the input is read where it lies, one broadcast
/// per position and step. Each position is named by where its window starts in the input (`windows`), so
/// positions may span output rows and any stride or dilation costs the same; padding must already be in the
/// input (the operator pads a copy), so every read is inside it.
public struct DirectConvTile {
  /// Packed weights: `channels × tapCount` groups of 16 floats.
  public var weights: UnsafePointer<Float>
  /// Input channel 0; `windows[j]` is the offset of position `j`'s window origin in it. Six entries are always
  /// read: a tile with fewer positions repeats a valid one.
  public var input: UnsafePointer<Float>
  public var windows: UnsafePointer<Int>
  /// Floats between consecutive input channels.
  public var channelStride: Int
  public var channels: Int
  /// Offsets of the kernel taps from a window origin, in the weights' order.
  public var taps: UnsafePointer<Int>
  public var tapCount: Int
  /// Output channel 0 at position 0 of the tile; positions are consecutive, channels `outputChannelStride`
  /// apart.
  public var output: UnsafeMutablePointer<Float>
  public var outputChannelStride: Int
  /// Valid output channels (`1...16`) and positions (`1...6`); nothing else is read or written.
  public var outputChannels: Int
  public var positions: Int
  /// Add to what the output holds (a later block of input channels) instead of overwriting it.
  public var accumulate: Bool
  /// Applied to the finished sums: present only on the last block of input channels.
  public var epilogue: ChannelTileEpilogue?

  public init(
    weights: UnsafePointer<Float>, input: UnsafePointer<Float>, windows: UnsafePointer<Int>, channelStride: Int,
    channels: Int, taps: UnsafePointer<Int>, tapCount: Int, output: UnsafeMutablePointer<Float>,
    outputChannelStride: Int, outputChannels: Int, positions: Int, accumulate: Bool,
    epilogue: ChannelTileEpilogue?
  ) {
    self.weights = weights
    self.input = input
    self.windows = windows
    self.channelStride = channelStride
    self.channels = channels
    self.taps = taps
    self.tapCount = tapCount
    self.output = output
    self.outputChannelStride = outputChannelStride
    self.outputChannels = outputChannels
    self.positions = positions
    self.accumulate = accumulate
    self.epilogue = epilogue
  }
}

/// The fused epilogue of a tile whose vector lanes are output channels (DESIGN.md §5): bias first, then the
/// residual, then the activation. `bias` is at the tile's first channel (one value per channel, contiguous);
/// `residual` has the output's layout and is at the tile's channel 0, position 0.
public struct ChannelTileEpilogue {
  public var bias: UnsafePointer<Float>?
  public var residual: UnsafePointer<Float>?
  public var activation: PointwiseFunction

  public init(bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?, activation: PointwiseFunction) {
    self.bias = bias
    self.residual = residual
    self.activation = activation
  }
}
