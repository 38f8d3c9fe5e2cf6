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
  /// Output rows computed from one transposed band of input rows: as many as keep the band within
  /// `bandBudgetFloats` (at least one).
  let bandRows: Int
  /// Padded input rows one band holds: the rows its output rows' windows cover.
  let bandInputRows: Int

  /// Floats of padded input a band may hold: 128 KB, so that the band, its output rows and the weights stay
  /// in a 512 KB L2 while the kernel sweeps them (a whole 112×112 plane's block is 830 KB), and so that any
  /// stride and plane needs bounded scratch.
  static let bandBudgetFloats = 32 * 1024

  /// The blocks of `input`'s geometry, or nil when the window is 3-D or the padded plane is not compact
  /// (those take `DepthwiseConvolution`'s other paths).
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
    let windowRows = (axes.kernel[1] - 1) * axes.dilations[1] + 1
    let affordableRows = Self.bandBudgetFloats / max(1, input.shape[2] * Self.lanes)
    let fitting = affordableRows >= windowRows ? (affordableRows - windowRows) / axes.strides[1] + 1 : 1
    bandRows = max(1, min(axes.output[1], fitting))
    bandInputRows = (bandRows - 1) * axes.strides[1] + windowRows
  }

  var blockCount: Int { (channels + Self.lanes - 1) / Self.lanes }
  var bandCount: Int { (axes.output[1] + bandRows - 1) / bandRows }

  /// Floats of one worker's scratch: a band of the padded input block, its output rows, and the weights.
  func scratchFloats(site: StepSite) throws(RuntimeError) -> Int {
    let bandFloats = try CheckedMath.multiply(bandInputRows, input.shape[2], "\(site): padded channel band")
    let padded = try CheckedMath.multiply(bandFloats, Self.lanes, "\(site): padded channel band")
    let outputFloats = try CheckedMath.multiply(bandRows, axes.output[2], "\(site): output channel band")
    let output = try CheckedMath.multiply(outputFloats, Self.lanes, "\(site): output channel band")
    let weights = try CheckedMath.multiply(axes.kernelVolume, Self.lanes, "\(site): weight vectors")
    let buffers = try CheckedMath.add(padded, output, "\(site): depthwise scratch")
    return try CheckedMath.add(buffers, weights, "\(site): depthwise scratch")
  }

  /// Convolves one image's channels, the (block, band) pieces shared out over `workers`.
  func run(_ context: RunContext, _ image: DepthwiseConvolution.ImageOperands, workers: Int) {
    let bands = bandCount
    taps.withUnsafeBufferPointer { taps in
      context.parallelFor(tasks: blockCount * bands, workers: workers) { task, worker in
        runBand(
          task % bands, block: task / bands, image, taps: taps.baseAddress!,
          scratch: context.scratchFloats(worker: worker))
      }
    }
  }

  /// Output rows `band · bandRows ..<` (up to `bandRows` of them) of block `block`'s channels.
  private func runBand(
    _ band: Int, block: Int, _ image: DepthwiseConvolution.ImageOperands, taps: UnsafePointer<Int>,
    scratch: UnsafeMutablePointer<Float>
  ) {
    let first = block * Self.lanes
    let count = min(Self.lanes, channels - first)
    let (outH, outW) = (axes.output[1], axes.output[2])
    let firstRow = band * bandRows
    let rows = min(bandRows, outH - firstRow)
    let padded = scratch
    let staged = padded + bandInputRows * input.shape[2] * Self.lanes
    let weights = staged + bandRows * outW * Self.lanes
    transposeBand(
      startingAt: firstRow * axes.strides[1], image.input + first * axes.inputPlane, channels: count, into: padded)
    let bias = gatherWeights(first: first, count: count, image, into: weights)
    let rowStride = axes.strides[1] * input.shape[2] * Self.lanes
    for row in 0..<rows {
      DepthwiseChannelMicrokernel.runRow(
        input: UnsafePointer(padded + row * rowStride), columnStride: axes.strides[2] * Self.lanes, taps: taps,
        weights: UnsafePointer(weights), tapCount: axes.kernelVolume, bias: bias,
        output: staged + row * outW * Self.lanes, columns: outW)
    }
    let positions = rows * outW
    if image.residual == nil {
      staged.withMemoryRebound(to: SIMD16<Float>.self, capacity: positions) { vectors in
        image.activation.apply(vectors: vectors, count: positions)
      }
    }
    let output = image.output + first * axes.outputPlane + firstRow * outW
    ChannelBlockTranspose.toChannels(
      UnsafePointer(staged), positions: positions, channels: count, into: output, channelStride: axes.outputPlane)
    if let residual = image.residual {
      addResidual(
        residual + first * axes.outputPlane + firstRow * outW, to: output, channels: count, positions: positions,
        image.activation)
    }
  }

  /// Writes padded rows `start ..< start + bandInputRows` (those inside the padded plane) of `count` channel
  /// planes at `source` into `band`: the input's rows transposed, every other cell zero.
  private func transposeBand(
    startingAt start: Int, _ source: UnsafePointer<Float>, channels count: Int, into band: UnsafeMutablePointer<Float>
  ) {
    let pitch = input.shape[2]
    let lanes = Self.lanes
    let (top, left) = (axes.padsBegin[1], axes.padsBegin[2])
    let (inH, inW) = (axes.input[1], axes.input[2])
    let end = min(start + bandInputRows, input.shape[1])
    let firstInput = max(start, top)
    let endInput = min(end, top + inH)
    guard firstInput < endInput else {
      VectorAccess.fill(band, floats: (end - start) * pitch * lanes, with: 0)
      return
    }
    VectorAccess.fill(band, floats: (firstInput - start) * pitch * lanes, with: 0)
    VectorAccess.fill(
      band + (endInput - start) * pitch * lanes, floats: (end - endInput) * pitch * lanes, with: 0)
    let right = pitch - left - inW
    if left > 0 || right > 0 {
      for row in firstInput..<endInput {
        let cells = band + (row - start) * pitch * lanes
        VectorAccess.fill(cells, floats: left * lanes, with: 0)
        VectorAccess.fill(cells + (left + inW) * lanes, floats: right * lanes, with: 0)
      }
    }
    ChannelBlockTranspose.toPositions(
      source + (firstInput - top) * inW, channelStride: axes.inputPlane, channels: count,
      positions: (endInput - firstInput) * inW, width: inW, into: band, pitch: pitch, rowOffset: firstInput - start,
      columnOffset: left)
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

  /// `output = activation(output + residual)` over `positions` floats of each of `channels` planes.
  private func addResidual(
    _ residual: UnsafePointer<Float>, to output: UnsafeMutablePointer<Float>, channels: Int, positions: Int,
    _ activation: PointwiseFunction
  ) {
    for channel in 0..<channels {
      let (target, addend) = (output + channel * axes.outputPlane, residual + channel * axes.outputPlane)
      var at = 0
      while at < positions {
        let width = min(16, positions - at)
        let sum = VectorAccess.loadPartial(target + at, width) + VectorAccess.loadPartial(addend + at, width)
        VectorAccess.storePartial(activation(sum), target + at, width)
        at += 16
      }
    }
  }
}
