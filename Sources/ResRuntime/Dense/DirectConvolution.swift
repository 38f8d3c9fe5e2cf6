import ResKernels

/// A convolution computed by `DirectConvMicrokernel16x6` straight from its input: output channels on the
/// vector lanes, each group's weights packed once at load into 16-channel panels, the input read in place
/// (through a zero-padded copy of one image when the convolution pads). Nothing is packed per run, which is
/// what made im2col + GEMM slow on 3x3 and 7x7 windows: packing the im2col panels cost more than the
/// multiplications. Any window, stride and dilation runs the same loop.
struct DirectConvolution: Sendable {
  static let kernel = MicrokernelRegistry.directConv

  let axes: WindowAxes
  let groups: Int
  let channelsPerGroup: Int
  let outputChannelsPerGroup: Int
  /// The input as the kernel reads it: a padded copy of one image when the convolution pads, else X itself.
  let input: PaddedInput
  /// Offsets of the kernel taps from a window's origin, in the weights' order (kd, kh, kw).
  let taps: [Int]
  /// One per group: `outputChannelsPerGroup × (channelsPerGroup · kernel volume)` in 16-row panels.
  let weights: [PackedPanels]
  /// Input channels summed per call of the kernel (see `Blocking`). With several blocks, tiles carry their
  /// sums between calls in the worker's scratch (`partialSumFloats`).
  let channelBlock: Int
  /// Output positions that every block of 16 output channels computes, over every block of input channels,
  /// before the next block of positions starts (see `Blocking`).
  let positionsPerBlock: Int

  /// The cache blocking of the loops around the kernel.
  struct Blocking: Sendable {
    /// All input channels are summed in one call unless one panel of weights (reduction steps × 16 floats)
    /// would exceed this many steps (ResNet's last two stages: 147 and 295 KB per panel, streamed from
    /// beyond the second-level cache for every tile); then in blocks of at most `blockReductionSteps`
    /// steps, which stay in the first-level cache while the block's tiles reuse them, the channels shared
    /// evenly between the blocks. Measured on ResNet-50's 3x3 layers: blocking the 128-channel layers
    /// (74 KB panels) made them slower, blocking the 256- and 512-channel ones faster.
    var unblockedReductionSteps: Int
    var blockReductionSteps: Int
    /// A block of positions is whole output rows whose input (one block of channels) fits in this many
    /// bytes, so that it comes from memory once and from cache for every panel of weights (going through
    /// all positions per panel re-read the whole input from memory for each: the channels of one window are
    /// a plane apart, a pattern prefetchers do not follow) ...
    var inputBlockBytes: Int
    /// ... and, when channels are blocked, whose partial sums for every output channel fit in this many.
    var partialSumBytes: Int

    static let standard = Blocking(
      unblockedReductionSteps: 2048, blockReductionSteps: 512, inputBlockBytes: 160 * 1024,
      partialSumBytes: 128 * 1024)
  }

  /// `weights`: one `PackedPanels` per group, as wide as the kernel's lanes (`ConvMethod.direct`'s layout).
  init(
    weights: [PackedPanels], input: PaddedInput, groups: Int, channelsPerGroup: Int,
    outputChannelsPerGroup: Int, blocking: Blocking = .standard
  ) throws(RuntimeError) {
    let axes = input.axes
    self.axes = axes
    self.groups = groups
    self.channelsPerGroup = channelsPerGroup
    self.outputChannelsPerGroup = outputChannelsPerGroup
    self.input = input
    taps = input.tapOffsets()
    guard weights.count == groups, weights.allSatisfy({ $0.width == Self.kernel.lanes }) else {
      throw RuntimeError(.invalidPlan, "direct convolution weights are not \(groups) panels of \(Self.kernel.lanes) lanes")
    }
    self.weights = weights
    let steps = channelsPerGroup * axes.kernelVolume
    let blocks =
      steps <= blocking.unblockedReductionSteps
      ? 1 : (steps + blocking.blockReductionSteps - 1) / blocking.blockReductionSteps
    channelBlock = max(1, (channelsPerGroup + blocks - 1) / blocks)
    positionsPerBlock = DirectConvolution.positionsPerBlock(
      axes, input.shape, channels: channelBlock, outputChannels: blocks > 1 ? outputChannelsPerGroup : 0,
      blocking)
  }

  private static func positionsPerBlock(
    _ axes: WindowAxes, _ readShape: [Int], channels: Int, outputChannels: Int, _ blocking: Blocking
  ) -> Int {
    let tile = kernel.positions
    let (rowBytes, overflow) = (channels * 4).multipliedReportingOverflow(by: readShape[2])
    let window = (axes.kernel[1] - 1) * axes.dilations[1] + 1
    let inputRows = overflow || rowBytes == 0 ? 0 : blocking.inputBlockBytes / rowBytes
    var outputRows = inputRows <= window ? 1 : (inputRows - window) / axes.strides[1] + 1
    let sumRowBytes = RunContext.work(outputChannels + kernel.lanes, axes.output[2], 4)
    if outputChannels > 0 { outputRows = min(outputRows, max(1, blocking.partialSumBytes / sumRowBytes)) }
    let (positions, tooMany) = outputRows.multipliedReportingOverflow(by: axes.output[2])
    guard !tooMany, positions < axes.outputPlane else { return max(axes.outputPlane, 1) }
    return (positions + tile - 1) / tile * tile
  }

  /// Floats of partial sums one worker keeps: every tile of a block of positions for every block of 16
  /// output channels, six vectors each; none when the channels are summed in one call.
  var partialSumFloats: Int {
    guard channelBlock < channelsPerGroup else { return 0 }
    let lanes = Self.kernel.lanes
    let tiles = (positionsPerBlock + Self.kernel.positions - 1) / Self.kernel.positions
    return (outputChannelsPerGroup + lanes - 1) / lanes * tiles * Self.kernel.positions * lanes
  }

  /// Bytes of the padded copy of one image (shared by the workers), or 0 when X is read in place.
  func scratchBytes(site: StepSite) throws(RuntimeError) -> Int {
    guard input.isPadded else { return 0 }
    return try CheckedMath.product([groups, channelsPerGroup, input.plane, 4], "\(site): padded input bytes")
  }

  /// The epilogue pointers of one image, at its output channel 0.
  struct ImageEpilogue {
    var bias: UnsafePointer<Float>?
    var residual: UnsafePointer<Float>?
    var activation: PointwiseFunction
  }

  /// Convolves one image: `image` and `output` are at its channel 0.
  func run(
    _ context: RunContext, image: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
    epilogue: ImageEpilogue, workers: Int
  ) {
    let source: UnsafePointer<Float>
    if input.isPadded {
      let padded = context.sharedScratch.bindMemory(to: Float.self, capacity: groups * channelsPerGroup * input.plane)
      copyPadded(context, image, into: padded, workers: workers)
      source = UnsafePointer(padded)
    } else {
      source = image
    }
    let tasks = GemmPartition.tasks(
      problems: groups, m: outputChannelsPerGroup, n: axes.outputPlane, workers: workers,
      rowGranule: Self.kernel.lanes, columnGranule: Self.kernel.positions)
    taps.withUnsafeBufferPointer { taps in
      context.parallelFor(tasks: tasks.count, workers: workers) { index, worker in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: Self.kernel.positions) { windows in
          run(
            tasks[index], source: source, output: output, epilogue: epilogue, taps: taps.baseAddress!,
            windows: windows.baseAddress!, partialSums: context.scratchFloats(worker: worker))
        }
      }
    }
  }

  /// One task: its positions in blocks of `positionsPerBlock`; in each, the input channels in blocks of
  /// `channelBlock`; in each, its output channels 16 at a time, each over the block's positions 6 at a time.
  private func run(
    _ task: GemmTask, source: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, epilogue: ImageEpilogue,
    taps: UnsafePointer<Int>, windows: UnsafeMutablePointer<Int>, partialSums: UnsafeMutablePointer<Float>
  ) {
    let lanes = Self.kernel.lanes
    let tilesPerBlock = (positionsPerBlock + Self.kernel.positions - 1) / Self.kernel.positions
    var blockStart = task.columns.lowerBound
    while blockStart < task.columns.upperBound {
      let block = blockStart..<min(task.columns.upperBound, blockStart + positionsPerBlock)
      var firstChannel = 0
      while firstChannel < channelsPerGroup {
        let channels = firstChannel..<min(channelsPerGroup, firstChannel + channelBlock)
        var row = task.rows.lowerBound
        while row < task.rows.upperBound {
          let panelSums = partialSums + (row - task.rows.lowerBound) / lanes * tilesPerBlock * Self.kernel.positions * lanes
          runTiles(
            TileRange(
              group: task.problem, row: row, outputChannels: min(lanes, task.rows.upperBound - row), positions: block,
              channels: channels),
            source: source, output: output, epilogue: epilogue, taps: taps, windows: windows, partialSums: panelSums)
          row += lanes
        }
        firstChannel = channels.upperBound
      }
      blockStart = block.upperBound
    }
  }

  /// The tiles of one kernel call sequence: one weight panel (16 output channels of a group), a block of
  /// positions, a block of input channels.
  private struct TileRange {
    var group: Int
    var row: Int
    var outputChannels: Int
    var positions: Range<Int>
    var channels: Range<Int>
  }

  /// The tiles of `range`, 6 positions at a time; sums continue from and stay in `partialSums` unless the
  /// channel block is the only one or the last.
  private func runTiles(
    _ range: TileRange, source: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, epilogue: ImageEpilogue,
    taps: UnsafePointer<Int>, windows: UnsafeMutablePointer<Int>, partialSums: UnsafeMutablePointer<Float>
  ) {
    let plane = axes.outputPlane
    let groupInput = source + range.group * channelsPerGroup * input.plane
    let channel = range.group * outputChannelsPerGroup + range.row
    let panel = weights[range.group].panel(range.row / Self.kernel.lanes)
    let isBlocked = channelBlock < channelsPerGroup
    let tileFloats = Self.kernel.positions * Self.kernel.lanes
    var position = range.positions.lowerBound
    var tile = 0
    while position < range.positions.upperBound {
      let count = min(Self.kernel.positions, range.positions.upperBound - position)
      fillWindows(windows, first: position, count: count)
      let tileEpilogue = ChannelTileEpilogue(
        bias: epilogue.bias.map { $0 + channel }, residual: epilogue.residual.map { $0 + channel * plane + position },
        activation: epilogue.activation)
      Self.kernel.run(
        DirectConvTile(
          weights: panel + range.channels.lowerBound * axes.kernelVolume * Self.kernel.lanes,
          input: groupInput + range.channels.lowerBound * input.plane, windows: windows, channelStride: input.plane,
          channels: range.channels.count, taps: taps, tapCount: axes.kernelVolume,
          output: output + channel * plane + position, outputChannelStride: plane,
          outputChannels: range.outputChannels, positions: count,
          partialSums: isBlocked ? partialSums + tile * tileFloats : nil,
          continuesSums: range.channels.lowerBound > 0, completesSums: range.channels.upperBound == channelsPerGroup,
          epilogue: tileEpilogue))
      position += count
      tile += 1
    }
  }

  /// Window origins of output positions `first..<first+count`, the last one repeated up to the kernel's
  /// tile width.
  private func fillWindows(_ windows: UnsafeMutablePointer<Int>, first: Int, count: Int) {
    let (outH, outW) = (axes.output[1], axes.output[2])
    var od = first / (outH * outW)
    var oh = first / outW % outH
    var ow = first % outW
    for slot in 0..<Self.kernel.positions {
      guard slot < count else {
        windows[slot] = windows[count - 1]
        continue
      }
      windows[slot] = input.windowOrigin(d: od, h: oh, w: ow)
      ow += 1
      if ow == outW {
        ow = 0
        oh += 1
        if oh == outH {
          oh = 0
          od += 1
        }
      }
    }
  }

  /// Writes every channel of one image into `padded` with the convolution's zero border.
  private func copyPadded(
    _ context: RunContext, _ image: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>, workers: Int
  ) {
    let ranges = RunContext.ranges(of: groups * channelsPerGroup, parts: workers, granule: 1)
    context.parallelFor(tasks: ranges.count, workers: workers) { index, _ in
      for channel in ranges[index] {
        input.copyPlane(image + channel * axes.inputPlane, into: padded + channel * input.plane)
      }
    }
  }
}
