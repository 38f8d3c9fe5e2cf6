import ResKernels

/// `ConvMethod.channelsLastPointwise`: a 1×1, stride-1, unpadded convolution of one group that reads X
/// row-major (`[N, C, positions]`) and writes Y channels-last (`[N, positions, M]`, the residual too), so that
/// a channels-last region can start at it without a reorder of its output.
///
/// DenseNet's bottleneck 1x1 reads its block's row-major concatenation through a batch-norm + ReLU prologue,
/// which no method reading X channels-last applies; computed row-major, its 128 channels were reordered for
/// the channels-last 3x3 after it (116 reorders, 6 % of DenseNet-121's run). Here the product is the
/// `pointwise` GEMM transposed, `Yᵀ = Xᵀ · Wᵀ`: rows of output positions, packed from X's channel planes with
/// the prologue applied while packing (`GemmA.channelPlanes`), against the weights in 16-channel panels
/// (`ConvMethod.direct.weightLayout`, as `ChannelsLastConvolution` reads them), the epilogue (bias, residual,
/// activation) applied on each tile of output channels in registers.
struct ChannelsLastPointwise: Sendable {
  /// `outputChannels × channels` in 16-row panels.
  let weights: PackedPanels
  let channels: Int
  let outputChannels: Int
  /// Positions per image.
  let plane: Int

  init(weights: PackedPanels, channels: Int, outputChannels: Int, plane: Int) throws(RuntimeError) {
    guard weights.width == ChannelsLastConvolution.lanes, weights.rows == outputChannels, weights.depth == channels
    else {
      throw RuntimeError(
        .invalidPlan,
        "channels-last pointwise weights are not panels of \(ChannelsLastConvolution.lanes) lanes, "
          + "\(outputChannels) rows and \(channels) steps")
    }
    self.weights = weights
    self.channels = channels
    self.outputChannels = outputChannels
    self.plane = plane
  }

  /// Bytes of scratch per worker: `GemmDriver`'s blocks of A (packed here) and B.
  static let scratchBytesPerWorker = GemmDriver.scratchFloats(packsA: true) * 4

  /// Whether each output element is stored once, by the tile that has just read its residual: when the
  /// reduction is one K block (`GemmDriver.kc`), so the residual may be Y's own bytes.
  var storesEachOutputOnce: Bool { channels <= GemmDriver.kc }

  /// The tensors of one run, each at its first element: `input` row-major `[N, C, positions]`, `output` and
  /// `residual` channels-last `[N, positions, M]`, `bias` `[M]`, `prologue` over X's channels.
  struct Operands {
    var input: UnsafePointer<Float>
    var output: UnsafeMutablePointer<Float>
    var bias: UnsafePointer<Float>?
    var residual: UnsafePointer<Float>?
    var activation: PointwiseFunction
    var prologue: ChannelTransform?
    var batch: Int
  }

  /// The whole batch, split over `workers` along images, then positions or output channels
  /// (`GemmPartition`); `GemmDriver` sums every output in the same order on any split.
  func run(_ context: RunContext, _ operands: Operands, workers: Int) {
    let tasks = GemmPartition.tasks(
      problems: operands.batch, m: plane, n: outputChannels, workers: workers, rowGranule: GemmDriver.kernel.mr,
      columnGranule: GemmDriver.tileKernel.nr)
    let weights = PrepackedPanels(packed: weights)
    context.parallelFor(tasks: tasks.count, workers: workers) { index, worker in
      let task = tasks[index]
      let imageOutput = task.problem * plane * outputChannels
      var epilogue = MatrixEpilogue(activation: operands.activation)
      if let bias = operands.bias {
        epilogue.bias = bias
        epilogue.biasColumnStride = 1
      }
      if let residual = operands.residual {
        epilogue.residual = residual + imageOutput
        epilogue.residualRowStride = outputChannels
      }
      GemmDriver.run(
        k: channels,
        a: .channelPlanes(
          operands.input + task.problem * channels * plane, depthStride: plane, transform: operands.prologue),
        b: weights, c: operands.output + imageOutput, cRowStride: outputChannels, epilogue: epilogue,
        rows: task.rows, columns: task.columns, scratch: context.scratchFloats(worker: worker))
    }
  }
}
