import ResKernels

/// A depthwise convolution (one input and one output channel per group) computed 16 channels at a time with
/// the channels on the vector lanes: each block's planes are transposed into a padded position-major block
/// in the worker's scratch (`ChannelBlockTranspose`), convolved row by row by `DepthwiseChannelMicrokernel`
/// into a dense position-major block, and transposed back into the output planes.
///
/// With the positions on the lanes (`DepthwiseGrid`) every channel paid its own plane copy (split into stride
/// phases at stride 2), a grid with padding columns on the lanes, and a finishing pass of partial row stores;
/// on MobileNetV2's 14×14 and 7×7 planes those cost several times the multiply-adds. Here the fixed costs
/// are paid once per 16 channels, every tap is a plain vector load at any stride or dilation, and no lane
/// holds padding.
struct DepthwiseChannelBlocks: Sendable {
  static let lanes = ChannelBlockTranspose.lanes

  let axes: WindowAxes
  let input: PaddedInput
  let channels: Int
  /// Float offsets of the taps from a window origin in the padded block, in weight order.
  let taps: [Int]

  /// The blocks of `input`'s geometry, or nil when the window is 3-D or the padded plane is not compact
  /// (those take `DepthwiseConvolution`'s row tiles).
  init?(input: PaddedInput, channels: Int) {
    let axes = input.axes
    guard axes.kernel[0] == 1, axes.input[0] == 1, axes.output[0] == 1, input.isCompact else { return nil }
    self.axes = axes
    self.input = input
    self.channels = channels
    var taps: [Int] = []
    for kh in 0..<axes.kernel[1] {
      for kw in 0..<axes.kernel[2] {
        taps.append((kh * axes.dilations[1] * input.shape[2] + kw * axes.dilations[2]) * Self.lanes)
      }
    }
    self.taps = taps
  }

  var blockCount: Int { (channels + Self.lanes - 1) / Self.lanes }

  /// Floats of one worker's scratch: the padded input block, the output block, and the weight vectors.
  func scratchFloats(site: StepSite) throws(RuntimeError) -> Int {
    let padded = try CheckedMath.multiply(input.plane, Self.lanes, "\(site): padded channel block")
    let output = try CheckedMath.multiply(axes.outputPlane, Self.lanes, "\(site): output channel block")
    let weights = try CheckedMath.multiply(axes.kernelVolume, Self.lanes, "\(site): weight vectors")
    return try CheckedMath.add(try CheckedMath.add(padded, output, "\(site): depthwise scratch"), weights,
      "\(site): depthwise scratch")
  }

  /// Convolves one image's channels, the blocks shared out over `workers`.
  func run(_ context: RunContext, _ image: DepthwiseConvolution.ImageOperands, workers: Int) {
    taps.withUnsafeBufferPointer { taps in
      context.parallelFor(tasks: blockCount, workers: workers) { block, worker in
        runBlock(block, image, taps: taps.baseAddress!, scratch: context.scratchFloats(worker: worker))
      }
    }
  }

  private func runBlock(
    _ block: Int, _ image: DepthwiseConvolution.ImageOperands, taps: UnsafePointer<Int>,
    scratch: UnsafeMutablePointer<Float>
  ) {
    let first = block * Self.lanes
    let count = min(Self.lanes, channels - first)
    let padded = scratch
    let staged = padded + input.plane * Self.lanes
    let weights = staged + axes.outputPlane * Self.lanes
    clearBorder(padded)
    ChannelBlockTranspose.toPositions(
      image.input + first * axes.inputPlane, channelStride: axes.inputPlane, channels: count,
      positions: axes.inputPlane, width: axes.input[2], into: padded, pitch: input.shape[2],
      rowOffset: axes.padsBegin[1], columnOffset: axes.padsBegin[2])
    let bias = gatherWeights(first: first, count: count, image, into: weights)
    let (outH, outW) = (axes.output[1], axes.output[2])
    let rowStride = axes.strides[1] * input.shape[2] * Self.lanes
    for row in 0..<outH {
      DepthwiseChannelMicrokernel.runRow(
        input: UnsafePointer(padded + row * rowStride), columnStride: axes.strides[2] * Self.lanes, taps: taps,
        weights: UnsafePointer(weights), tapCount: axes.kernelVolume, bias: bias,
        output: staged + row * outW * Self.lanes, columns: outW)
    }
    if image.residual == nil {
      staged.withMemoryRebound(to: SIMD16<Float>.self, capacity: axes.outputPlane) { vectors in
        image.activation.apply(vectors: vectors, count: axes.outputPlane)
      }
    }
    let output = image.output + first * axes.outputPlane
    ChannelBlockTranspose.toChannels(
      UnsafePointer(staged), positions: axes.outputPlane, channels: count, into: output,
      channelStride: axes.outputPlane)
    if let residual = image.residual {
      addResidual(residual + first * axes.outputPlane, to: output, channels: count, image.activation)
    }
  }

  /// Zeroes the padded block's cells outside the input (the interior is rewritten by every block).
  private func clearBorder(_ padded: UnsafeMutablePointer<Float>) {
    guard input.isPadded else { return }
    let (rows, pitch) = (input.shape[1], input.shape[2])
    let (top, left) = (axes.padsBegin[1], axes.padsBegin[2])
    let (inH, inW) = (axes.input[1], axes.input[2])
    let lanes = Self.lanes
    VectorAccess.fill(padded, floats: top * pitch * lanes, with: 0)
    let bottom = top + inH
    VectorAccess.fill(padded + bottom * pitch * lanes, floats: (rows - bottom) * pitch * lanes, with: 0)
    let right = pitch - left - inW
    for row in top..<bottom {
      let start = padded + row * pitch * lanes
      VectorAccess.fill(start, floats: left * lanes, with: 0)
      VectorAccess.fill(start + (left + inW) * lanes, floats: right * lanes, with: 0)
    }
  }

  /// Writes the block's weights as one vector per tap (zero lanes past `count`) and returns its bias vector.
  private func gatherWeights(
    first: Int, count: Int, _ image: DepthwiseConvolution.ImageOperands, into weights: UnsafeMutablePointer<Float>
  ) -> SIMD16<Float> {
    let volume = axes.kernelVolume
    for tap in 0..<volume {
      for lane in 0..<Self.lanes {
        weights[tap * Self.lanes + lane] = lane < count ? image.weights[(first + lane) * volume + tap] : 0
      }
    }
    var bias = SIMD16<Float>()
    if let source = image.bias {
      for lane in 0..<count { bias[lane] = source[first + lane] }
    }
    return bias
  }

  /// `output = activation(output + residual)` over the block's `channels` planes.
  private func addResidual(
    _ residual: UnsafePointer<Float>, to output: UnsafeMutablePointer<Float>, channels: Int,
    _ activation: PointwiseFunction
  ) {
    let total = channels * axes.outputPlane
    var at = 0
    while at < total {
      let width = min(16, total - at)
      let sum = VectorAccess.loadPartial(output + at, width) + VectorAccess.loadPartial(residual + at, width)
      VectorAccess.storePartial(activation(sum), output + at, width)
      at += 16
    }
  }
}
