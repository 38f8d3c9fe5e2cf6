/// One call of the channels-last depthwise microkernel: `positions` consecutive output positions of one
/// row, every channel, each the sum over the listed taps of weight × input, epilogue applied.
///
/// Input, output and residual are channels-last (a position's `channels` floats contiguous). The taps are
/// offsets from a window origin, the same for every position and channel; taps outside the input are
/// simply not listed (the caller's border segments), so nothing is padded or copied.
public struct ChannelsLastDepthwiseTile {
  /// Window origin of the first position at channel 0 (it may lie in the padding; only listed taps are read).
  public var input: UnsafePointer<Float>
  /// Floats between the window origins of consecutive positions (column stride × channels).
  public var positionStride: Int
  /// Float offsets of the taps from a window origin, and each tap's index into `weights`.
  public var taps: UnsafePointer<Int>
  public var tapWeights: UnsafePointer<Int>
  public var tapCount: Int
  /// One row of `weightStride` floats per tap (tap-major: `weights[tap · weightStride + channel]`), zero past
  /// `channels`, `weightStride` a multiple of 16, so every weight read is a whole vector.
  public var weights: UnsafePointer<Float>
  public var weightStride: Int
  public var channels: Int
  public var positions: Int
  /// The first position at channel 0; positions `channels` floats apart.
  public var output: UnsafeMutablePointer<Float>
  /// The epilogue (DESIGN.md §5): `activation(sum + bias[c] + residual)`, the residual laid out as the output.
  public var bias: UnsafePointer<Float>?
  public var residual: UnsafePointer<Float>?
  public var activation: PointwiseFunction
  /// Taps per kernel row when the list is probably whole kernel rows (an interior window's), 0 otherwise: a
  /// hint. The kernel checks that the rows and their taps are evenly spaced (`SlidingRows`) and then
  /// computes the offsets instead of reading them, and at stride 1 or 2 loads each input vector a row
  /// shares once; any other list runs as listed.
  public var rowTaps = 0

  public init(
    input: UnsafePointer<Float>, positionStride: Int, taps: UnsafePointer<Int>, tapWeights: UnsafePointer<Int>,
    tapCount: Int, weights: UnsafePointer<Float>, weightStride: Int, channels: Int, positions: Int,
    output: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?,
    activation: PointwiseFunction, rowTaps: Int = 0
  ) {
    self.input = input
    self.positionStride = positionStride
    self.taps = taps
    self.tapWeights = tapWeights
    self.tapCount = tapCount
    self.weights = weights
    self.weightStride = weightStride
    self.channels = channels
    self.positions = positions
    self.output = output
    self.bias = bias
    self.residual = residual
    self.activation = activation
    self.rowTaps = rowTaps
  }
}

extension ChannelsLastDepthwiseTile {
  /// The first channel of a whole block of 16 that ends at the last channel, when the channels end in a
  /// partial block: the kernel runs that block whole, overlapping the block before it, instead of building
  /// partial vectors (MobileNetV3's and MNASNet's 72, 120 and 200 channels). The overlapped channels are
  /// computed again the same way and stored again with the same bits. Nil when the channels are whole blocks
  /// or fewer than one, or when the residual is the output itself (an overlapped channel would then read as
  /// its residual the value its first store left).
  @inline(__always)
  var overlappingLastBlock: Int? {
    let lanes = ChannelsLastDepthwiseMicrokernel.lanes
    guard channels > lanes, channels % lanes != 0 else { return nil }
    if let residual, residual == UnsafePointer(output) { return nil }
    return channels - lanes
  }
}
