import ResKernels

/// A convolution of channels-last tensors (`[N, spatial..., C]` storage) as a GEMM whose A rows are the input
/// positions read in place: output positions × output channels, reduced over kernel taps × input channels
/// (XNNPACK's indirect GEMM). In channels-last the `C/g` values a tap reads at one position are contiguous,
/// so nothing is packed per run: each tile of 6 positions gets one pointer per tap and position (or a zero
/// row where its window lies in the padding) and `IndirectGemmMicrokernel6x16` multiplies in place.
///
/// Serves every geometry with more than one input channel per group: any 1-D, 2-D or 3-D window, strides,
/// dilations, uneven padding, groups, batch. The weights are the direct method's panels
/// (`ConvMethod.direct.weightLayout`: per group, 16 output channels wide, ONNX reduction order), as the plan
/// stores them, so loading repacks nothing.
struct ChannelsLastConvolution: Sendable {
  static let kernel = IndirectGemmMicrokernel6x16.self
  static let positionsPerTile = IndirectGemmMicrokernel6x16.positions
  static let lanes = IndirectGemmMicrokernel6x16.lanes

  let axes: WindowAxes
  let groups: Int
  let channelsPerGroup: Int
  let outputChannelsPerGroup: Int
  /// One per group: `outputChannelsPerGroup × (channelsPerGroup · kernel volume)` in 16-row panels.
  let weights: [PackedPanels]
  /// Output positions whose indirection is built at once and which every panel of weights of a task sweeps
  /// before the next block starts (see `Blocking`); a multiple of the tile.
  let positionsPerBlock: Int
  let blocking: Blocking

  /// The cache blocking of the loops around the kernel.
  struct Blocking: Sendable {
    /// A block of positions is whole output rows whose input rows (the channels of one group) fit in this
    /// many bytes, so that they come from memory once and from cache for every panel of weights ...
    var inputBlockBytes: Int
    /// ... and whose indirection table (one pointer per position and tap) has at most this many pointers.
    var blockPointers: Int

    static let standard = Blocking(inputBlockBytes: 160 * 1024, blockPointers: 16 * 1024)
  }

  /// `weights`: one `PackedPanels` per group in `ConvMethod.direct`'s layout (16 wide, depth
  /// `channelsPerGroup · kernel volume`, reduction step `c · volume + tap`).
  init(
    weights: [PackedPanels], axes: WindowAxes, groups: Int, channelsPerGroup: Int, outputChannelsPerGroup: Int,
    blocking: Blocking = .standard
  ) throws(RuntimeError) {
    let depth = RunContext.work(channelsPerGroup, axes.kernelVolume)
    guard weights.count == groups,
      weights.allSatisfy({
        $0.width == Self.lanes && $0.rows == outputChannelsPerGroup && $0.depth == depth
      })
    else {
      throw RuntimeError(
        .invalidPlan,
        "channels-last convolution weights are not \(groups) panels of \(Self.lanes) lanes, "
          + "\(outputChannelsPerGroup) rows and \(depth) steps")
    }
    self.axes = axes
    self.groups = groups
    self.channelsPerGroup = channelsPerGroup
    self.outputChannelsPerGroup = outputChannelsPerGroup
    self.weights = weights
    self.blocking = blocking
    positionsPerBlock = Self.positionsPerBlock(axes, channels: channelsPerGroup, blocking)
  }

  /// Whole output rows whose input rows fit `inputBlockBytes` (at least one row), at most `blockPointers /
  /// kernel volume` positions (at least one tile), rounded up to whole tiles.
  private static func positionsPerBlock(_ axes: WindowAxes, channels: Int, _ blocking: Blocking) -> Int {
    let tile = positionsPerTile
    let positionBytes = (RunContext.work(channels, 4) + 63) / 64 * 64
    let rowBytes = RunContext.work(positionBytes, axes.input[2])
    let window = (axes.kernel[1] - 1) * axes.dilations[1] + 1
    let inputRows = blocking.inputBlockBytes / max(rowBytes, 1)
    let outputRows = inputRows <= window ? 1 : (inputRows - window) / axes.strides[1] + 1
    let byInput = RunContext.work(outputRows, axes.output[2])
    let byTable = blocking.blockPointers / max(axes.kernelVolume, 1)
    let positions = max(tile, min(byInput, byTable, max(axes.outputPlane, 1)))
    return (positions + tile - 1) / tile * tile
  }

  var methodLabel: String { "channels-last GEMM" }

  /// Multiply–adds of a batch of `batch` images, for `RunContext.workers(work:tasks:)`.
  func work(batch: Int) -> Int {
    RunContext.work(batch, groups, outputChannelsPerGroup, axes.outputPlane, channelsPerGroup, axes.kernelVolume)
  }

  /// Floats of a worker's zero row: one group's input channels, rounded up to a cache line.
  private var zeroRowFloats: Int { (channelsPerGroup + 15) / 16 * 16 }

  /// Bytes of scratch one worker needs: the zero row, and the indirection table of a block of positions.
  func scratchBytesPerWorker(site: StepSite) throws(RuntimeError) -> Int {
    let pointers = try CheckedMath.multiply(positionsPerBlock, axes.kernelVolume, "\(site): indirection table")
    let tableBytes = try CheckedMath.multiply(pointers, MemoryLayout<UnsafePointer<Float>>.stride, "\(site): indirection bytes")
    let zeroBytes = try CheckedMath.multiply(zeroRowFloats, 4, "\(site): zero row bytes")
    return try CheckedMath.add(tableBytes, zeroBytes, "\(site): scratch bytes")
  }

  /// Nothing is shared between the workers.
  var sharedScratchBytes: Int { 0 }

  /// The tensors of one run, each at its first element, channels-last: `input` `[N, spatial..., C]`,
  /// `output` and `residual` `[N, spatial..., M]`, `bias` `[M]`.
  struct Operands {
    var input: UnsafePointer<Float>
    var output: UnsafeMutablePointer<Float>
    var bias: UnsafePointer<Float>?
    var residual: UnsafePointer<Float>?
    var activation: PointwiseFunction
    var batch: Int
  }

  /// Convolves the whole batch, split over `workers` along (image, group) problems, then positions or
  /// output channels (`GemmPartition`); every output sums its taps and channels in the same order on any
  /// split, so the result does not depend on the worker count.
  func run(_ context: RunContext, _ operands: Operands, workers: Int) {
    let tasks = GemmPartition.tasks(
      problems: operands.batch * groups, m: axes.outputPlane, n: outputChannelsPerGroup, workers: workers,
      rowGranule: Self.positionsPerTile, columnGranule: Self.lanes)
    context.parallelFor(tasks: tasks.count, workers: workers) { index, worker in
      run(tasks[index], operands, scratch: context.scratchFloats(worker: worker))
    }
  }

  /// One task: its positions block by block; in each block, every 16-channel panel of the task over the
  /// block's tiles.
  private func run(_ task: GemmTask, _ operands: Operands, scratch: UnsafeMutablePointer<Float>) {
    let zeroRow = UnsafePointer(scratch)
    scratch.update(repeating: 0, count: zeroRowFloats)
    let table = UnsafeMutableRawPointer(scratch + zeroRowFloats).bindMemory(
      to: UnsafePointer<Float>.self, capacity: positionsPerBlock * axes.kernelVolume)
    let image = task.problem / groups
    let group = task.problem % groups
    let channels = groups * channelsPerGroup
    let outputChannels = groups * outputChannelsPerGroup
    let input = operands.input + image * axes.inputPlane * channels + group * channelsPerGroup
    let outputOffset = image * axes.outputPlane * outputChannels + group * outputChannelsPerGroup
    var blockStart = task.rows.lowerBound
    while blockStart < task.rows.upperBound {
      let block = blockStart..<min(task.rows.upperBound, blockStart + positionsPerBlock)
      fillIndirection(table, positions: block, input: input, channels: channels, zeroRow: zeroRow)
      var column = task.columns.lowerBound
      while column < task.columns.upperBound {
        runPanel(
          PanelRange(
            group: group, column: column, columns: min(Self.lanes, task.columns.upperBound - column), positions: block),
          operands, table: UnsafePointer(table), outputOffset: outputOffset + column)
        column += Self.lanes
      }
      blockStart = block.upperBound
    }
  }

  /// One panel of weights (16 output channels of a group) over a block of positions.
  private struct PanelRange {
    var group: Int
    var column: Int
    var columns: Int
    var positions: Range<Int>
  }

  /// The tiles of `range`, 6 positions at a time; `outputOffset` is the panel's first channel at position 0.
  private func runPanel(
    _ range: PanelRange, _ operands: Operands, table: UnsafePointer<UnsafePointer<Float>>, outputOffset: Int
  ) {
    let outputChannels = groups * outputChannelsPerGroup
    let taps = axes.kernelVolume
    let panel = weights[range.group].panel(range.column / Self.lanes)
    let bias = operands.bias.map { $0 + range.group * outputChannelsPerGroup + range.column }
    var position = range.positions.lowerBound
    var tileTable = table
    while position < range.positions.upperBound {
      let offset = outputOffset + position * outputChannels
      Self.kernel.run(
        IndirectGemmTile(
          taps: taps, channels: channelsPerGroup, indirection: tileTable, b: panel, c: operands.output + offset,
          cRowStride: outputChannels, rows: min(Self.positionsPerTile, range.positions.upperBound - position),
          columns: range.columns,
          epilogue: TileEpilogue(
            bias: bias, biasColumnStride: 1, residual: operands.residual.map { $0 + offset },
            residualRowStride: outputChannels, activation: operands.activation)))
      position += Self.positionsPerTile
      tileTable += taps * Self.positionsPerTile
    }
  }

  /// Writes the indirection of `positions` (starting on a tile): for each tile, tap and row, the address of
  /// the group's first input channel at the position that row's tap reads, or `zeroRow` in the padding.
  /// Rows past the last position repeat it.
  private func fillIndirection(
    _ table: UnsafeMutablePointer<UnsafePointer<Float>>, positions: Range<Int>, input: UnsafePointer<Float>,
    channels: Int, zeroRow: UnsafePointer<Float>
  ) {
    let tile = Self.positionsPerTile
    let taps = axes.kernelVolume
    var tileStart = positions.lowerBound
    var tileTable = table
    while tileStart < positions.upperBound {
      for row in 0..<tile {
        let position = min(tileStart + row, positions.upperBound - 1)
        fillTaps(tileTable + row, stride: tile, position: position, input: input, channels: channels, zeroRow: zeroRow)
      }
      tileStart += tile
      tileTable += taps * tile
    }
  }

  /// The input row every tap of output `position` reads, at `rows[tap · stride]`.
  @inline(__always)
  private func fillTaps(
    _ rows: UnsafeMutablePointer<UnsafePointer<Float>>, stride: Int, position: Int, input: UnsafePointer<Float>,
    channels: Int, zeroRow: UnsafePointer<Float>
  ) {
    let (outH, outW) = (axes.output[1], axes.output[2])
    let (inD, inH, inW) = (axes.input[0], axes.input[1], axes.input[2])
    let od = position / (outH * outW)
    let oh = position / outW % outH
    let ow = position % outW
    let d0 = od * axes.strides[0] - axes.padsBegin[0]
    let h0 = oh * axes.strides[1] - axes.padsBegin[1]
    let w0 = ow * axes.strides[2] - axes.padsBegin[2]
    var slot = rows
    for kd in 0..<axes.kernel[0] {
      let d = d0 + kd * axes.dilations[0]
      for kh in 0..<axes.kernel[1] {
        let h = h0 + kh * axes.dilations[1]
        let rowInside = d >= 0 && d < inD && h >= 0 && h < inH
        for kw in 0..<axes.kernel[2] {
          let w = w0 + kw * axes.dilations[2]
          slot.pointee = rowInside && w >= 0 && w < inW ? input + ((d * inH + h) * inW + w) * channels : zeroRow
          slot += stride
        }
      }
    }
  }
}
