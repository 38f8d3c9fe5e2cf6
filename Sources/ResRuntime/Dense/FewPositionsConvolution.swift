import ResKernels

/// `ConvMethod.fewPositions`: a row-major convolution with at most a vector's worth of output positions (16),
/// computed channels-last. The row-major methods put output positions on the lanes, so a squeeze-and-excitation
/// block's 1x1 convolutions (one position) used one lane in sixteen and a DPN's last stage (2x2) four: every
/// weight was a broadcast scalar, and the weights are most of what such a layer reads. Channels-last puts the
/// output channels on the lanes and streams the weights as whole vectors.
///
/// Per run: X is transposed to `[N, positions, C]` in shared scratch (the input prologue, a pre-activation
/// BatchNorm and ReLU, applied to each position's channels as they are), `ChannelsLastConvolution` computes
/// `[N, positions, M]` with the bias (and the activation, when there is no residual) in its tile epilogue, and
/// the result is transposed back into Y, the residual added and the activation applied there. Both transposes
/// move at most `fewPositionsMaximumInputPlane` (X) and `fewPositionsMaximum` (Y) positions per channel, a
/// small fraction of the multiply-adds.
struct FewPositionsConvolution: Sendable {
  let convolution: ChannelsLastConvolution
  let batch: Int
  let channels: Int
  let outputChannels: Int
  let inputPlane: Int
  let outputPlane: Int

  /// Floats of the transposed X, then of the channels-last Y, in the shared scratch.
  var transposedInputFloats: Int { batch * inputPlane * channels }
  var transposedOutputFloats: Int { batch * outputPlane * outputChannels }

  func sharedScratchBytes(site: StepSite) throws(RuntimeError) -> Int {
    let floats = try CheckedMath.add(
      try CheckedMath.product([batch, inputPlane, channels], "\(site): transposed input"),
      try CheckedMath.product([batch, outputPlane, outputChannels], "\(site): transposed output"),
      "\(site): transposed operands")
    return try CheckedMath.multiply(floats, 4, "\(site): transposed operand bytes")
  }

  /// The tensors of one run, row-major: X `[N, C, positions]`, Y and the residual `[N, M, positions]`.
  struct Operands {
    var input: UnsafePointer<Float>
    var output: UnsafeMutablePointer<Float>
    var bias: UnsafePointer<Float>?
    var residual: UnsafePointer<Float>?
    var activation: PointwiseFunction
    var prologue: ChannelTransform?
    /// `sharedScratchBytes` of scratch.
    var scratch: UnsafeMutablePointer<Float>
  }

  /// One position per image is the same bytes in either layout: X is then read in place (without a prologue)
  /// and Y written in place, residual and activation in the tile epilogue.
  func run(_ context: RunContext, _ operands: Operands, workers: Int) {
    let readsInPlace = inputPlane == 1 && operands.prologue == nil
    let writesInPlace = outputPlane == 1
    let input = readsInPlace ? operands.input : UnsafePointer(transposedInput(operands))
    let output = writesInPlace ? operands.output : operands.scratch + transposedInputFloats
    let fusesEpilogue = writesInPlace || operands.residual == nil
    convolution.run(
      context,
      ChannelsLastConvolution.Operands(
        input: input, output: output, bias: operands.bias, residual: writesInPlace ? operands.residual : nil,
        activation: fusesEpilogue ? operands.activation : .identity, batch: batch),
      workers: workers)
    guard !writesInPlace else { return }
    for image in 0..<batch {
      let imageOutput = operands.output + image * outputChannels * outputPlane
      Self.transpose(
        UnsafePointer(output + image * outputPlane * outputChannels), rows: outputPlane, columns: outputChannels,
        into: imageOutput)
      if let residual = operands.residual {
        Self.addResidual(
          residual + image * outputChannels * outputPlane, into: imageOutput, count: outputChannels * outputPlane,
          activation: operands.activation)
      }
    }
  }

  /// X transposed into the scratch, image by image, the prologue applied.
  private func transposedInput(_ operands: Operands) -> UnsafeMutablePointer<Float> {
    for image in 0..<batch {
      let imageInput = operands.scratch + image * inputPlane * channels
      Self.transpose(
        operands.input + image * channels * inputPlane, rows: channels, columns: inputPlane, into: imageInput)
      if let prologue = operands.prologue {
        Self.apply(prologue, toPositions: imageInput, count: inputPlane, channels: channels)
      }
    }
    return operands.scratch
  }

  /// `destination[c][r] = source[r][c]` for a `rows × columns` matrix, in 8 × 8 tiles.
  private static func transpose(
    _ source: UnsafePointer<Float>, rows: Int, columns: Int, into destination: UnsafeMutablePointer<Float>
  ) {
    let tile = TransposeMicrokernel8x8.size
    for firstRow in stride(from: 0, to: rows, by: tile) {
      for firstColumn in stride(from: 0, to: columns, by: tile) {
        TransposeMicrokernel8x8.run(
          UnsafeRawPointer(source + firstRow * columns + firstColumn), sourceStride: columns,
          UnsafeMutableRawPointer(destination + firstColumn * rows + firstRow), destinationStride: rows,
          rows: min(tile, rows - firstRow), columns: min(tile, columns - firstColumn))
      }
    }
  }

  /// `act(x · scale[c] + shift[c])` on every position's `channels` values, 16 channels at a time.
  private static func apply(
    _ prologue: ChannelTransform, toPositions values: UnsafeMutablePointer<Float>, count: Int, channels: Int
  ) {
    for position in 0..<count {
      let row = values + position * channels
      var channel = 0
      while channel < channels {
        let lanes = min(16, channels - channel)
        let scale = VectorAccess.loadPartial(prologue.scale + channel, lanes)
        let shift = VectorAccess.loadPartial(prologue.shift + channel, lanes)
        let x = VectorAccess.loadPartial(row + channel, lanes)
        VectorAccess.storePartial(prologue.activation(shift.addingProduct(x, scale)), row + channel, lanes)
        channel += 16
      }
    }
  }

  /// `y = act(y + residual)` over `count` contiguous values.
  private static func addResidual(
    _ residual: UnsafePointer<Float>, into values: UnsafeMutablePointer<Float>, count: Int,
    activation: PointwiseFunction
  ) {
    var index = 0
    while index < count {
      let lanes = min(16, count - index)
      let sum = VectorAccess.loadPartial(values + index, lanes) + VectorAccess.loadPartial(residual + index, lanes)
      VectorAccess.storePartial(activation(sum), values + index, lanes)
      index += 16
    }
  }
}
