import ResKernels

/// A convolution with one input channel per group (depthwise: MobileNet, EfficientNet, ConvNeXt), channel by
/// channel with `DepthwiseMicrokernel4x16`: output columns on the vector lanes, four output rows at a time,
/// each channel's plane first copied with its zero padding (and room after it) into the worker's scratch.
/// As one GEMM per channel it had a single output row per GEMM, which wasted nearly all of the GEMM kernel.
///
/// Only 1-D and 2-D windows (the leading axis of `WindowAxes` trivial); each output channel `m` reads input
/// channel `m / multiplier` and its own `kernel volume` weights, constant or not.
///
/// Small output planes with one channel per group take `DepthwiseChannelBlocks`: 16 channels at a time on the
/// vector lanes. Other strides 1 and 2 without dilation (MobileNet's and EfficientNet's layers) take
/// `DepthwiseGrid`: the plane split into stride phases and the output computed as one flat grid by
/// `DepthwiseGridMicrokernel`, so short rows fill the vector lanes and stride 2 loads plain vectors. The row
/// tiles were at 2.8 GFLOP/s on MobileNetV2's 7×7 layers and 4.4 on its stride-2 layers.
struct DepthwiseConvolution: Sendable {
  static let kernel = MicrokernelRegistry.depthwise
  /// Floats after a padded plane that the kernel may read past the last valid column: a double-width load
  /// at column stride 2 reads 31 past its first float.
  static let slack = 64

  /// Output rows up to this wide read a stride-2 plane unsplit (`DepthwiseGrid.readsEvenLanes`): on
  /// MobileNetV2's 14→7 layer splitting into phases cost more than the doubled loads (0.18 → 0.12 ms), on
  /// its 28→14 layer less (0.10 → 0.12 ms unsplit).
  static let evenLanesMaximumColumns = 8

  /// Output planes up to this many positions take `DepthwiseChannelBlocks` (one channel per group only). On
  /// MobileNetV2's 7×7 and 14×14 outputs it took the grid's 0.14–0.17 ms to 0.09–0.10 (one thread, each
  /// layer's minimum over three profiles); on its 28×28 outputs the two were even at one thread and the blocks
  /// slower at two, on 56×56 and 112×112 slower at both, even in row bands that stay in L2 (MobileNetV2's 112→56 layer alone
  /// 0.37 → 0.45 ms, minima of four alternating rounds): there the transposes cost more than the grid's
  /// per-channel overhead.
  static let channelBlocksMaximumOutputPlane = 14 * 14

  let axes: WindowAxes
  let channels: Int
  let multiplier: Int
  let input: PaddedInput
  let taps: [Int]
  let grid: DepthwiseGrid?
  let channelBlocks: DepthwiseChannelBlocks?

  init(input: PaddedInput, channels: Int, multiplier: Int) {
    axes = input.axes
    self.channels = channels
    self.multiplier = multiplier
    self.input = input
    taps = input.tapOffsets()
    grid = DepthwiseGrid(input, evenLanes: input.axes.output[2] <= Self.evenLanesMaximumColumns)
    channelBlocks =
      multiplier == 1 && input.axes.outputPlane <= Self.channelBlocksMaximumOutputPlane
      ? DepthwiseChannelBlocks(input: input, channels: channels) : nil
  }

  /// A padded plane and its slack, per worker.
  func scratchBytes(site: StepSite) throws(RuntimeError) -> Int {
    let floats: Int
    if let channelBlocks {
      floats = try channelBlocks.scratchFloats(site: site)
    } else if let grid {
      floats = try grid.scratchFloats(site: site)
    } else {
      floats = try CheckedMath.add(input.plane, Self.slack, "\(site): padded plane")
    }
    return try CheckedMath.multiply(floats, 4, "\(site): padded plane bytes")
  }

  /// The operands of one image, each at its channel 0.
  struct ImageOperands {
    var input: UnsafePointer<Float>
    var weights: UnsafePointer<Float>
    var output: UnsafeMutablePointer<Float>
    var bias: UnsafePointer<Float>?
    var residual: UnsafePointer<Float>?
    var activation: PointwiseFunction
  }

  /// Pieces per worker when the channels are split: more pieces than workers let the caller take over the
  /// channels of a helper that starts late (on the shared machine the second thread is often descheduled
  /// for a while), as `GemmPartition` does for GEMMs; with one piece each, the caller waits out the delay
  /// and then the helper's whole half.
  static let piecesPerWorker = 4
  /// The fewest channels a piece keeps: each piece clears its worker's phase planes once.
  static let minimumChannelsPerPiece = 4

  /// Element operations of a run, the estimate `RunContext.workers(work:tasks:)` compares with its
  /// threshold: the taps' multiply–adds plus copying every input plane in and every output plane out, which
  /// on MobileNetV2's small planes cost more than the taps (a profile at one thread: copies and epilogue 15 %
  /// of the run, the taps 7 %). Counting the taps alone kept its 14→7 layer of 576 channels on one thread.
  func work(inputCount: Int, outputCount: Int) -> Int {
    let (copies, copiesOverflow) = inputCount.addingReportingOverflow(outputCount)
    let (total, overflow) = RunContext.work(outputCount, axes.kernelVolume).addingReportingOverflow(copies)
    return copiesOverflow || overflow ? Int.max : total
  }

  /// The channel ranges one image is split into: one on one worker, else `piecesPerWorker` per worker of at
  /// least `minimumChannelsPerPiece` channels (never fewer pieces than workers).
  func channelRanges(workers: Int) -> [Range<Int>] {
    guard workers > 1 else { return [0..<channels] }
    let affordable = max(workers, channels / Self.minimumChannelsPerPiece)
    return RunContext.ranges(of: channels, parts: min(workers * Self.piecesPerWorker, affordable), granule: 1)
  }

  /// Convolves one image, its input channels split over `workers` in `channelRanges(workers:)`.
  func run(_ context: RunContext, _ image: ImageOperands, workers: Int) {
    if let channelBlocks {
      channelBlocks.run(context, image, workers: workers)
      return
    }
    let ranges = channelRanges(workers: workers)
    if let grid {
      runGrid(grid, context, image, ranges: ranges, workers: workers)
      return
    }
    taps.withUnsafeBufferPointer { taps in
      context.parallelFor(tasks: ranges.count, workers: workers) { index, worker in
        let padded = context.scratchFloats(worker: worker)
        (padded + input.plane).update(repeating: 0, count: Self.slack)
        for channel in ranges[index] {
          input.copyPlane(image.input + channel * axes.inputPlane, into: padded)
          for output in channel * multiplier..<(channel + 1) * multiplier {
            runChannel(output, UnsafePointer(padded), image, taps: taps.baseAddress!)
          }
        }
      }
    }
  }

  /// The channels in `ranges` (one range per worker) through the phase planes and the grid kernel.
  private func runGrid(
    _ grid: DepthwiseGrid, _ context: RunContext, _ image: ImageOperands, ranges: [Range<Int>], workers: Int
  ) {
    let (outH, outW) = (axes.output[1], axes.output[2])
    let plane = axes.outputPlane
    grid.taps.withUnsafeBufferPointer { taps in
      context.parallelFor(tasks: ranges.count, workers: workers) { index, worker in
        let (planes, sums) = grid.layout(context.scratchFloats(worker: worker))
        grid.clear(planes)
        VectorAccess.fill(planes + grid.planeFloats, floats: grid.readFloats - grid.planeFloats, with: 0)
        for channel in ranges[index] {
          grid.copyInterior(image.input + channel * axes.inputPlane, input, into: planes)
          for output in channel * multiplier..<(channel + 1) * multiplier {
            let weights = image.weights + output * axes.kernelVolume
            let bias = image.bias?[output] ?? 0
            if grid.readsEvenLanes {
              DepthwiseGridMicrokernel.runEvenLanes(
                input: UnsafePointer(planes), taps: taps.baseAddress!, weights: weights, tapCount: axes.kernelVolume,
                bias: bias, sums: sums, count: grid.count)
            } else {
              DepthwiseGridMicrokernel.run(
                input: UnsafePointer(planes), taps: taps.baseAddress!, weights: weights, tapCount: axes.kernelVolume,
                bias: bias, sums: sums, count: grid.count)
            }
            DepthwiseGridMicrokernel.finish(
              sums: sums, count: grid.count, pitch: grid.phaseWidth, rows: outH, columns: outW,
              output: image.output + output * plane, residual: image.residual.map { $0 + output * plane },
              activation: image.activation)
          }
        }
      }
    }
  }

  /// Output channel `channel` from its input channel's padded plane, in tiles of 4 rows × 16 columns.
  private func runChannel(
    _ channel: Int, _ padded: UnsafePointer<Float>, _ image: ImageOperands, taps: UnsafePointer<Int>
  ) {
    let (outH, outW) = (axes.output[1], axes.output[2])
    let plane = axes.outputPlane
    let bias = image.bias?[channel] ?? 0
    var row = 0
    while row < outH {
      let rows = min(Self.kernel.rows, outH - row)
      var column = 0
      while column < outW {
        let columns = min(Self.kernel.columns, outW - column)
        let first = channel * plane + row * outW + column
        Self.kernel.run(
          DepthwiseTile(
            input: padded + input.windowOrigin(d: 0, h: row, w: column),
            inputRowStride: axes.strides[1] * input.shape[2], columnStride: axes.strides[2], taps: taps,
            weights: image.weights + channel * axes.kernelVolume, tapCount: axes.kernelVolume,
            output: image.output + first, outputRowStride: outW, rows: rows, columns: columns, bias: bias,
            residual: image.residual.map { $0 + first }, activation: image.activation))
        column += columns
      }
      row += rows
    }
  }
}
