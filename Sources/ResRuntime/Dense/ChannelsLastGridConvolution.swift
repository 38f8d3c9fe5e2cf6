import ResKernels

/// An image stem (`ConvMethod.channelsLastGrid`: the `grid` geometry, a short reduction over a few colour
/// channels at stride 1 or 2) that reads its input row-major and writes its output channels-last, so that the
/// channels-last region after it starts without a reorder step.
///
/// The input is laid out in `DepthwiseGrid`'s padded stride-phase planes, as for the row-major
/// `GridConvolution`, so the positions of an output row are consecutive grid cells and each reduction step
/// (input channel, tap) is one offset from them. The tiles turn the grid method's around: six positions on the
/// rows, output channels on the lanes (`ChannelsLastGridTile`), each position's input broadcast against 16–64
/// channels of weights, and each position's channels stored as whole vectors, the channels-last output.
/// The grid tile stored 16 positions of one channel per vector; writing channels-last from it needed a
/// transpose, which cost more than the reorder it saved.
final class ChannelsLastGridConvolution: Sendable {
  /// Output rows per task, as for `GridConvolution`: the input rows they read stay in cache while every
  /// block of output channels passes over them.
  static let rowsPerTask = 8
  /// Positions per tile (every kernel's `mr`).
  static let positions = MicrokernelRegistry.channelsLastGrid.mr

  let axes: WindowAxes
  let planes: GridPlanes
  let outputChannels: Int
  /// `outputChannels × (channels · kernel volume)` in 16-channel panels (the channels-last GEMM's layout).
  let weights: PackedPanels

  /// Nil when `input`'s geometry has no phase grid or the weights are not `outputChannels × (channels · taps)`
  /// in 16-channel panels.
  init?(weights: PackedPanels, input: PaddedInput, channels: Int, outputChannels: Int) {
    guard let planes = GridPlanes(input, channels: channels), weights.width == ChannelsLastGridTile.panelWidth,
      weights.rows == outputChannels, weights.depth == planes.depth
    else { return nil }
    axes = input.axes
    self.planes = planes
    self.outputChannels = outputChannels
    self.weights = weights
  }

  func sharedScratchBytes(site: StepSite) throws(RuntimeError) -> Int { try planes.sharedScratchBytes(site: site) }

  /// The operands of one image: its row-major input and channels-last output (and residual), each at the
  /// image's first element.
  struct ImageOperands {
    var input: UnsafePointer<Float>
    var output: UnsafeMutablePointer<Float>
    var bias: UnsafePointer<Float>?
    var residual: UnsafePointer<Float>?
    var activation: PointwiseFunction
  }

  /// The kernel for the next tile's channels, `remaining` of them left, over a reduction of `depth` steps: on
  /// 512-bit builds the widest tile whose panels are all used and whose weights fit `tileWeightBytes`, else 16
  /// channels at a time. Every kernel sums each output in the same order, so the choice never changes a bit.
  static func kernel(remaining: Int, depth: Int) -> ChannelsLastGridMicrokernel {
    guard GemmMicrokernel6x32.preferred else { return MicrokernelRegistry.channelsLastGrid }
    let panel = ChannelsLastGridTile.panelWidth
    let fourPanelBytes = RunContext.work(depth, 4 * panel, MemoryLayout<Float>.stride)
    if remaining > 3 * panel && fourPanelBytes <= tileWeightBytes { return MicrokernelRegistry.channelsLastGridWider }
    if remaining > panel { return MicrokernelRegistry.channelsLastGridWide }
    return MicrokernelRegistry.channelsLastGrid
  }

  /// The most weight bytes a tile's kernel sweeps per tile: every tile of a row reads them all again, so they
  /// must stay in a 32 KB first-level cache beside the input rows. ResNet's 7×7 stem over 3 colours (147
  /// steps) is 37.6 KB for four panels and 18.8 KB for two: on Zen 4 (32 KB) the two-panel kernel, twice over
  /// the channels, took ResNet-50's stem from 2.63 to 2.40 ms (one thread, six alternating whole-network
  /// profiles; one panel at a time, 2.37, the same). The four panels were chosen on Zen 5, whose first-level
  /// cache holds 48 KB.
  static let tileWeightBytes = 24 * 1024

  /// Convolves one image: its channels into the phase planes (the slack past them zeroed), then its output
  /// rows in tasks of `rowsPerTask`, over `workers`.
  func run(_ context: RunContext, _ image: ImageOperands, workers: Int) {
    let planes = self.planes.prepare(context, image: image.input, workers: workers)
    let outH = axes.output[1]
    let tasks = (outH + Self.rowsPerTask - 1) / Self.rowsPerTask
    self.planes.offsets.withUnsafeBufferPointer { offsets in
      context.parallelFor(tasks: tasks, workers: workers) { task, _ in
        let rows = task * Self.rowsPerTask..<min(outH, (task + 1) * Self.rowsPerTask)
        runRows(rows, planes: planes, offsets: offsets.baseAddress!, image)
      }
    }
  }

  /// Output rows `rows`: block by block of output channels, each over the rows in tiles of six positions.
  private func runRows(
    _ rows: Range<Int>, planes: UnsafePointer<Float>, offsets: UnsafePointer<Int>, _ image: ImageOperands
  ) {
    let outW = axes.output[2]
    let panelWidth = ChannelsLastGridTile.panelWidth
    let panelStride = weights.depth * panelWidth
    var channel = 0
    while channel < outputChannels {
      let kernel = Self.kernel(remaining: outputChannels - channel, depth: weights.depth)
      let columns = min(kernel.nr, outputChannels - channel)
      let epilogue = TileEpilogue(
        bias: image.bias.map { $0 + channel }, biasColumnStride: 1, residual: nil,
        residualRowStride: outputChannels, activation: image.activation)
      for row in rows {
        var column = 0
        while column < outW {
          let position = row * outW + column
          var tileEpilogue = epilogue
          tileEpilogue.residual = image.residual.map { $0 + position * outputChannels + channel }
          kernel.run(
            ChannelsLastGridTile(
              depth: weights.depth, input: planes + row * self.planes.grid.phaseWidth + column, offsets: offsets,
              b: weights.panel(channel / panelWidth), bPanelStride: panelStride,
              c: image.output + position * outputChannels + channel, cRowStride: outputChannels,
              rows: min(Self.positions, outW - column), columns: columns, epilogue: tileEpilogue))
          column += Self.positions
        }
      }
      channel += columns
    }
  }
}
