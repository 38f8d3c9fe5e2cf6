/// One call of the padded-plane depthwise microkernel: every output position of one image for one block of
/// up to 16 channels, read from a copy of that block's input plane with the padding written out as zeros.
///
/// The plane holds 16 floats per position (the block's channels, zeros past `lanes`), `planeWidth` positions
/// per row, the padding included, so every window lies inside it and every tap is the same offset from its
/// window's origin. The output and residual are the step's channels-last tensors (`outputStride` floats
/// between positions), at the block's first channel.
public struct ChannelsLastDepthwisePlaneTile {
  public var plane: UnsafePointer<Float>
  /// Positions per row of the padded plane.
  public var planeWidth: Int
  /// Tap `t` (row-major over the window) of the block's 16 channels at `weights + t · weightStride`.
  public var weights: UnsafePointer<Float>
  public var weightStride: Int
  public var kernelHeight: Int
  public var kernelWidth: Int
  public var strideY: Int
  public var strideX: Int
  public var dilationY: Int
  public var dilationX: Int
  public var outputHeight: Int
  public var outputWidth: Int
  public var output: UnsafeMutablePointer<Float>
  public var outputStride: Int
  /// Channels of the block actually stored (16 but for the last block of an odd channel count).
  public var lanes: Int
  /// The epilogue (DESIGN.md §5): `activation(sum + bias[c] + residual)`, the residual laid out as the output.
  public var bias: UnsafePointer<Float>?
  public var residual: UnsafePointer<Float>?
  public var activation: PointwiseFunction

  public init(
    plane: UnsafePointer<Float>, planeWidth: Int, weights: UnsafePointer<Float>, weightStride: Int,
    kernel: (height: Int, width: Int), strides: (y: Int, x: Int), dilations: (y: Int, x: Int),
    outputSize: (height: Int, width: Int), output: UnsafeMutablePointer<Float>, outputStride: Int, lanes: Int,
    bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?, activation: PointwiseFunction
  ) {
    self.plane = plane
    self.planeWidth = planeWidth
    self.weights = weights
    self.weightStride = weightStride
    (kernelHeight, kernelWidth) = kernel
    (strideY, strideX) = strides
    (dilationY, dilationX) = dilations
    (outputHeight, outputWidth) = outputSize
    self.output = output
    self.outputStride = outputStride
    self.lanes = lanes
    self.bias = bias
    self.residual = residual
    self.activation = activation
  }
}
