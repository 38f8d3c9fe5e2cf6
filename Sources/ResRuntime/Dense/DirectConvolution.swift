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
  /// Output positions that every block of 16 output channels computes before the next block of positions
  /// starts: whole output rows whose input (all channels of a group) fits in `inputBlockBytes`. That block
  /// of input comes from memory once and from cache for every block of weights; going through all positions
  /// per weight block instead re-read the whole input from memory for each, which starved the kernel on
  /// strided layers (the channels of one window are a plane apart, a pattern prefetchers do not follow).
  let positionsPerBlock: Int
  static let inputBlockBytes = 160 * 1024

  init(
    weights source: UnsafePointer<Float>, axes: WindowAxes, groups: Int, channelsPerGroup: Int,
    outputChannelsPerGroup: Int, site: StepSite
  ) throws(RuntimeError) {
    self.axes = axes
    self.groups = groups
    self.channelsPerGroup = channelsPerGroup
    self.outputChannelsPerGroup = outputChannelsPerGroup
    input = try PaddedInput(axes, site: site)
    taps = input.tapOffsets()
    let depth = channelsPerGroup * axes.kernelVolume
    var packed: [PackedPanels] = []
    for group in 0..<groups {
      packed.append(
        try PackedPanels(
          source + group * outputChannelsPerGroup * depth, rowStride: depth, depthStride: 1,
          rows: outputChannelsPerGroup, depth: depth, width: Self.kernel.lanes))
    }
    weights = packed
    positionsPerBlock = DirectConvolution.positionsPerBlock(axes, input.shape, channels: channelsPerGroup)
  }

  private static func positionsPerBlock(_ axes: WindowAxes, _ readShape: [Int], channels: Int) -> Int {
    let tile = kernel.positions
    let (rowBytes, overflow) = (channels * 4).multipliedReportingOverflow(by: readShape[2])
    let window = (axes.kernel[1] - 1) * axes.dilations[1] + 1
    let inputRows = overflow || rowBytes == 0 ? 0 : inputBlockBytes / rowBytes
    let outputRows = inputRows <= window ? 1 : (inputRows - window) / axes.strides[1] + 1
    let (positions, tooMany) = outputRows.multipliedReportingOverflow(by: axes.output[2])
    guard !tooMany, positions < axes.outputPlane else { return max(axes.outputPlane, 1) }
    return (positions + tile - 1) / tile * tile
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
      context.parallelFor(tasks: tasks.count, workers: workers) { index, _ in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: Self.kernel.positions) { windows in
          run(
            tasks[index], source: source, output: output, epilogue: epilogue, taps: taps.baseAddress!,
            windows: windows.baseAddress!)
        }
      }
    }
  }

  /// One task: its positions in blocks of `positionsPerBlock`; in each block, its output channels 16 at a
  /// time, each over the block's positions 6 at a time.
  private func run(
    _ task: GemmTask, source: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, epilogue: ImageEpilogue,
    taps: UnsafePointer<Int>, windows: UnsafeMutablePointer<Int>
  ) {
    var blockStart = task.columns.lowerBound
    while blockStart < task.columns.upperBound {
      let block = blockStart..<min(task.columns.upperBound, blockStart + positionsPerBlock)
      var row = task.rows.lowerBound
      while row < task.rows.upperBound {
        runTiles(
          group: task.problem, row: row, outputChannels: min(Self.kernel.lanes, task.rows.upperBound - row),
          positions: block, source: source, output: output, epilogue: epilogue, taps: taps, windows: windows)
        row += Self.kernel.lanes
      }
      blockStart = block.upperBound
    }
  }

  /// Output channels `row..<row+outputChannels` of `group` (one weight panel) at `positions`, 6 at a time.
  private func runTiles(
    group: Int, row: Int, outputChannels: Int, positions: Range<Int>, source: UnsafePointer<Float>,
    output: UnsafeMutablePointer<Float>, epilogue: ImageEpilogue, taps: UnsafePointer<Int>,
    windows: UnsafeMutablePointer<Int>
  ) {
    let plane = axes.outputPlane
    let groupInput = source + group * channelsPerGroup * input.plane
    let channel = group * outputChannelsPerGroup + row
    let panel = weights[group].panel(row / Self.kernel.lanes)
    var position = positions.lowerBound
    while position < positions.upperBound {
      let count = min(Self.kernel.positions, positions.upperBound - position)
      fillWindows(windows, first: position, count: count)
      let tileEpilogue = ChannelTileEpilogue(
        bias: epilogue.bias.map { $0 + channel }, residual: epilogue.residual.map { $0 + channel * plane + position },
        activation: epilogue.activation)
      Self.kernel.run(
        DirectConvTile(
          weights: panel, input: groupInput, windows: windows, channelStride: input.plane,
          channels: channelsPerGroup, taps: taps, tapCount: axes.kernelVolume, output: output + channel * plane + position,
          outputChannelStride: plane, outputChannels: outputChannels, positions: count, accumulate: false,
          epilogue: tileEpilogue))
      position += count
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
