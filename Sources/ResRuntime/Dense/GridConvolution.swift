import ResKernels

/// A 2-D convolution with a short reduction (`ConvMethod.grid`: few input channels, such as MobileNet's 3×3/2
/// stem on three colour channels) computed by `GridConvMicrokernel6x16`: output positions on the vector lanes,
/// six output channels per tile, the input read in place from its padded stride phases.
///
/// Each input channel is first written, padded, into `DepthwiseGrid`'s phase planes (shared by the workers),
/// so that output (h, w) has its window origin at grid position `h·phaseWidth + w` and every tap of sixteen
/// consecutive outputs of a row is one plain vector load at a fixed offset. Tiles then store sixteen
/// contiguous outputs of six channel planes, with the GEMM kernel's fused epilogue; the direct kernel (output
/// channels on the lanes) stored each tile as 96 scattered floats and ran the stem at 15–25 GFLOP/s.
struct GridConvolution: Sendable {
  static let kernel = MicrokernelRegistry.gridConv
  /// The kernel the tiles run: 32 positions per tile where vectors are 512 bits wide
  /// (`GridConvMicrokernel6x32`), `kernel` otherwise; both read `kernel.mr`-row weight panels.
  static let tileKernel = GemmMicrokernel6x32.preferred ? MicrokernelRegistry.gridConvWide : kernel
  /// Output rows per task: the input rows they read (three channels of about 17 padded rows) stay in cache
  /// while every panel of six output channels passes over them.
  static let rowsPerTask = 8

  let axes: WindowAxes
  let planes: GridPlanes
  let outputChannels: Int
  /// `outputChannels × (channels · kernel volume)` in `MR`-row panels (`ConvMethod.grid`'s layout).
  let weights: PackedPanels

  /// Nil when `input`'s geometry has no phase grid or the weights are not `outputChannels × (channels · taps)`
  /// in `MR`-row panels.
  init?(weights: PackedPanels, input: PaddedInput, channels: Int, outputChannels: Int) {
    guard let planes = GridPlanes(input, channels: channels), weights.width == Self.kernel.mr,
      weights.rows == outputChannels, weights.depth == planes.depth
    else { return nil }
    axes = input.axes
    self.planes = planes
    self.outputChannels = outputChannels
    self.weights = weights
  }

  func sharedScratchBytes(site: StepSite) throws(RuntimeError) -> Int { try planes.sharedScratchBytes(site: site) }

  /// The operands of one image, each at its channel 0.
  struct ImageOperands {
    var input: UnsafePointer<Float>
    var output: UnsafeMutablePointer<Float>
    var epilogue: MatrixEpilogue
  }

  /// Convolves one image: its channels into the phase planes, with the slack the last channel's last vector
  /// reads zeroed, then its output rows in tasks of
  /// `rowsPerTask`, over `workers`.
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

  /// Output rows `rows` of every output channel: panel by panel of six channels, each over the rows in
  /// tiles of sixteen columns.
  private func runRows(
    _ rows: Range<Int>, planes: UnsafePointer<Float>, offsets: UnsafePointer<Int>, _ image: ImageOperands
  ) {
    let (mr, nr) = (Self.tileKernel.mr, Self.tileKernel.nr)
    let outW = axes.output[2]
    let plane = axes.outputPlane
    var channel = 0
    while channel < outputChannels {
      let panel = weights.panel(channel / mr)
      for row in rows {
        var column = 0
        while column < outW {
          let position = row * outW + column
          Self.tileKernel.run(
            GridConvTile(
              depth: weights.depth, a: panel, input: planes + row * self.planes.grid.phaseWidth + column, offsets: offsets,
              c: image.output + channel * plane + position, cRowStride: plane,
              rows: min(mr, outputChannels - channel), columns: min(nr, outW - column),
              epilogue: image.epilogue.tile(row: channel, column: position)))
          column += nr
        }
      }
      channel += mr
    }
  }
}
