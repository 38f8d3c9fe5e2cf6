import ResKernels

/// A convolution of channels-last tensors (`[N, spatial..., C]` storage) as a GEMM whose A rows are the input
/// positions read in place: output positions × output channels, reduced over kernel taps × input channels
/// (XNNPACK's indirect GEMM). In channels-last the `C/g` values a tap reads at one position are contiguous,
/// so nothing is packed per run: each tile of 6 positions gets one pointer per tap and position (or a zero
/// row where its window lies in the padding) and `IndirectGemmMicrokernel6x16` multiplies in place. Only a
/// short reduction (a stem on 3 colour channels) gathers its tiles, a few KB each on the stack.
///
/// Serves every geometry with more than one input channel per group: any 1-D, 2-D or 3-D window, strides,
/// dilations, uneven padding, groups, batch. The weights are the direct method's panels
/// (`ConvMethod.direct.weightLayout`: per group, 16 output channels wide, ONNX reduction order), as the plan
/// stores them, so loading repacks nothing. How the tiles are computed depends on the geometry (`Strategy`).
final class ChannelsLastConvolution: Sendable {
  static let kernel = IndirectGemmMicrokernel6x16.self
  static let positionsPerTile = IndirectGemmMicrokernel6x16.positions
  static let lanes = IndirectGemmMicrokernel6x16.lanes
  /// The kernel `Strategy.indirect` runs: two of the 16-wide weight panels per tile where vectors are 512
  /// bits wide (`IndirectGemmMicrokernel6x32`), one otherwise.
  static let tileKernel =
    GemmMicrokernel6x32.preferred ? MicrokernelRegistry.indirectGemmWide : MicrokernelRegistry.indirectGemm
  /// The kernel of a `Strategy.indirect` tile with `remaining` output channels left in its block and a
  /// reduction of `depth` steps per call: four weight panels (`IndirectGemmMicrokernel6x64`) on 512-bit
  /// builds where at least 64 channels remain and the reduction is longer than `GemmDriver.widestTileDepth`
  /// (the GEMM's measured threshold), twelve positions of one panel (`IndirectGemmMicrokernel12x16`) where
  /// at most 16 remain, else `tileKernel`. ResNet-50's stride-2 and downsampling layers (256–4608 steps) ran
  /// 5–8 % faster on the four panels.
  static func indirectKernel(remaining: Int, depth: Int) -> IndirectGemmMicrokernel {
    guard GemmMicrokernel6x32.preferred else { return tileKernel }
    if remaining <= IndirectGemmMicrokernel12x16.lanes { return MicrokernelRegistry.indirectGemmTall }
    return remaining >= IndirectGemmMicrokernel6x64.lanes && depth > GemmDriver.widestTileDepth
      ? MicrokernelRegistry.indirectGemmWider : tileKernel
  }
  /// A block's single last position (a 7×7 output's 49th): one position's work instead of a six-position
  /// tile's (`IndirectGemmMicrokernelOnePosition`), with the same sums.
  static let onePositionKernel = MicrokernelRegistry.indirectGemmOnePosition
  /// The kernel `Strategy.packedTiles` runs on a gathered 6-row panel: two weight panels per tile where
  /// vectors are 512 bits wide.
  static let packedTileKernel = GemmMicrokernel6x32.preferred ? MicrokernelRegistry.gemmWide : MicrokernelRegistry.gemm

  let axes: WindowAxes
  let groups: Int
  let channelsPerGroup: Int
  let outputChannelsPerGroup: Int
  /// One per group: `outputChannelsPerGroup × (channelsPerGroup · kernel volume)` in 16-row panels.
  let weights: [PackedPanels]
  let strategy: Strategy
  /// Output positions whose indirection is built at once and which every panel of weights of a task sweeps
  /// before the next block starts (see `Blocking`); a multiple of the tile.
  let positionsPerBlock: Int
  /// Input channels summed per kernel call (`indirect` only); later blocks add to the output.
  let channelBlock: Int
  /// `Blocking.residentRowBlockBytes`.
  let residentRowBlockBytes: Int
  /// The pointer tables of `Strategy.indirect`.
  let indirection: IndirectionTable

  /// How the tiles are computed, chosen from the geometry (measured on ResNet-50's and MobileNetV2's layers).
  enum Strategy: Sendable {
    /// A 1×1, stride-1, unpadded window: X's positions are the rows of a plain GEMM's A, read in place
    /// (`GemmDriver` with `GemmA.rows` and the weights as prepacked B, as `MatMulOperator` multiplies
    /// activations). Its cache blocking beat the indirect loop on every such layer measured. Reductions
    /// longer than `GemmDriver.shortDepth` keep each tile's weights in cache instead
    /// (`ResidentWeightsGemm`).
    case gemm
    /// A strided, unpadded 1×1 window (a ResNet downsample) whose positions fit `Blocking.sampledInputBytes`:
    /// each task's positions copied into a contiguous matrix of one row per output position, then multiplied
    /// as `gemm` multiplies X (`ChannelsLastConvolution+Sampled.swift`).
    case sampledGemm
    /// A short reduction (`Blocking.packedTileDepth` steps or fewer: a stem on 3 colour channels): each tile's
    /// rows gathered once into a packed panel in the weights' reduction order, then every panel of weights
    /// multiplied by `GemmMicrokernel6x16`. On ResNet-50's 7×7/2 stem the indirect kernel's per-tap loop of
    /// 3 channels ran at 21 GFLOP/s, the packed tiles at 50–58 (the NCHW grid method: 62–88).
    case packedTiles
    /// Everything else: `IndirectGemmMicrokernel6x16` over pointer tables.
    case indirect
  }

  /// The cache blocking of the loops around the kernel.
  struct Blocking: Sendable {
    /// A block of positions is whole output rows whose input rows (the channels of one group) fit in this
    /// many bytes, so that they come from memory once and from cache for every panel of weights ...
    var inputBlockBytes: Int
    /// ... unless the whole input plane (those channels) fits in this many, when one block takes every
    /// position: each block sweeps all the weights again, and on a small plane the weights are the larger
    /// operand. ResNet-50's 1×1/2 downsample 1024→2048 to 7×7 ran in blocks of 12 positions and streamed its
    /// 8 MB of weights five times: 2.95 → 1.71 ms in one block (fastest of 10 alternating rounds in the
    /// network, one thread; medians 3.38 → 2.34). The input then comes from L2 for every panel instead.
    var wholePlaneInputBytes: Int
    /// ... and whose indirection table (one pointer per position and tap) has at most this many pointers.
    var blockPointers: Int
    /// Reductions longer than this many steps are summed in blocks of input channels of at most
    /// `blockReductionSteps` steps, so that the block of a weight panel stays in the second-level cache
    /// beside the input rows the tiles stream past it.
    var unblockedReductionSteps: Int
    var blockReductionSteps: Int
    /// Reductions up to this many steps take `Strategy.packedTiles`.
    var packedTileDepth: Int
    /// Bytes of input per row block of `ResidentWeightsGemm` (`Strategy.gemm`).
    var residentRowBlockBytes = ResidentWeightsGemm.rowBlockBytes
    /// The largest copy of a strided 1×1's positions (`Strategy.sampledGemm`, its whole output plane × input
    /// channels per group); a larger one runs the indirect kernel.
    var sampledInputBytes = 4 << 20

    /// The reduction blocks are 1152 steps (over 2304) where vectors are 512 bits wide, whose kernels read up
    /// to 64-wide weight panels (295 KB a block), and 4608 steps (over 4608) on 256-bit builds, whose 16-wide
    /// panels take as many bytes at four times the steps. On Zen 3 (AVX2, 512 KB L2), one-layer 3x3 + ReLU
    /// models, fastest of five to seven alternating rounds, blocks of 1152 → 4608 steps, one / two threads:
    /// 512→512 at stride 2 to 7x7 (ResNet-50's layer4.0) 2.72 → 2.52 / 1.39 → 1.28 ms, 1024→512 there 6.06 →
    /// 5.55 / 2.85 → 2.72, 512→512 dilated 2 at 28x28 40.0 → 38.8 / 20.8 → 19.9, 384→256 dilated at 56x56
    /// 59.7 → 57.0 / 30.3 → 28.7. On Zen 4 (AVX-512) 2304-step blocks made ResNet-50's layer4.0 slower.
    static let standard = Blocking(
      inputBlockBytes: 160 * 1024, wholePlaneInputBytes: 1024 * 1024, blockPointers: 16 * 1024,
      unblockedReductionSteps: GemmMicrokernel6x32.preferred ? 2304 : 4608,
      blockReductionSteps: GemmMicrokernel6x32.preferred ? 1152 : 4608, packedTileDepth: 160)
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
    strategy = Self.strategy(axes, depth: depth, channels: channelsPerGroup, blocking)
    residentRowBlockBytes = blocking.residentRowBlockBytes
    let blocks =
      strategy != .indirect || depth <= blocking.unblockedReductionSteps
      ? 1 : (depth + blocking.blockReductionSteps - 1) / blocking.blockReductionSteps
    channelBlock = max(1, (channelsPerGroup + blocks - 1) / blocks)
    positionsPerBlock = Self.positionsPerBlock(axes, channels: channelBlock, blocking)
    indirection = IndirectionTable(axes: axes, channels: groups * channelsPerGroup)
  }

  /// Whether every output element is stored once, by the tile that has just read its residual: `Strategy.gemm`
  /// with the whole reduction in one K block (`ResidentWeightsGemm` or `GemmDriver`). Longer reductions store
  /// partial sums first. Then the residual may be the output's own bytes (`ResidualInPlace.direct`).
  var storesEachOutputOnce: Bool {
    guard strategy == .gemm else { return false }
    let k = channelsPerGroup
    return ResidentWeightsGemm.applies(k: k, m: axes.outputPlane, n: outputChannelsPerGroup)
      ? k <= ResidentWeightsGemm.maximumDepth : k <= GemmDriver.kc
  }

  private static func strategy(_ axes: WindowAxes, depth: Int, channels: Int, _ blocking: Blocking) -> Strategy {
    let unpadded = axes.padsBegin.allSatisfy { $0 == 0 } && axes.padsEnd.allSatisfy { $0 == 0 }
    if axes.kernelVolume == 1, unpadded {
      if axes.strides.allSatisfy({ $0 == 1 }) { return .gemm }
      let (bytes, overflow) = RunContext.work(axes.outputPlane, channels).multipliedReportingOverflow(by: 4)
      if !overflow, bytes <= blocking.sampledInputBytes { return .sampledGemm }
    }
    let fewChannels = depth / max(axes.kernelVolume, 1) < packedTileMaximumChannels
    return fewChannels && depth <= blocking.packedTileDepth ? .packedTiles : .indirect
  }

  /// Input channels per group below which a short reduction gathers its tiles (`Strategy.packedTiles`): the
  /// gather moves one float at a time, which pays only where the indirect kernel's loop over a tap's channels
  /// is a few steps (a stem's 3 colours: 21 against 50 GFLOP/s on ResNet-50's 7×7 stem). From 4 channels the
  /// indirect kernel reads them in place faster. One-layer 3×3 models, one thread, ms, packed → indirect: 4
  /// channels ungrouped at 112×112 0.168 → 0.168, 5 at 56×56 0.134 → 0.098, 12 at 56×56 0.226 → 0.138; 13
  /// groups at 28×28 (RegNetY-400MF's 104 channels, groups of 8: an odd count, which `WidenNarrowGroups`
  /// leaves alone) of 4 channels 0.42 → 0.17, of 8 0.57 → 0.24; 55 groups of 8 at 7×7 0.27 → 0.07.
  static let packedTileMaximumChannels = 4

  /// Every position when the input plane fits `wholePlaneInputBytes`, else whole output rows whose input rows
  /// fit `inputBlockBytes` (at least one row); at most `blockPointers / kernel volume` positions (at least one
  /// tile), rounded up to whole tiles.
  private static func positionsPerBlock(_ axes: WindowAxes, channels: Int, _ blocking: Blocking) -> Int {
    let tile = positionsPerTile
    let positionBytes = (RunContext.work(channels, 4) + 63) / 64 * 64
    let rowBytes = RunContext.work(positionBytes, axes.input[2])
    let planeBytes = RunContext.work(rowBytes, axes.input[1], axes.input[0])
    let window = (axes.kernel[1] - 1) * axes.dilations[1] + 1
    let inputRows = blocking.inputBlockBytes / max(rowBytes, 1)
    let outputRows = inputRows <= window ? 1 : (inputRows - window) / axes.strides[1] + 1
    let byInput =
      planeBytes <= blocking.wholePlaneInputBytes ? axes.outputPlane : RunContext.work(outputRows, axes.output[2])
    let byTable = blocking.blockPointers / max(axes.kernelVolume, 1)
    let positions = max(tile, min(byInput, byTable, max(axes.outputPlane, 1)))
    return (positions + tile - 1) / tile * tile
  }

  var methodLabel: String {
    switch strategy {
    case .gemm: "channels-last GEMM"
    case .sampledGemm: "channels-last subsampled GEMM"
    case .packedTiles: "channels-last packed-tile GEMM"
    case .indirect: "channels-last indirect GEMM"
    }
  }

  /// Multiply–adds of a batch of `batch` images, for `RunContext.workers(work:tasks:)`.
  func work(batch: Int) -> Int {
    RunContext.work(batch, groups, outputChannelsPerGroup, axes.outputPlane, channelsPerGroup, axes.kernelVolume)
  }

  /// Floats of a worker's zero row: all the input channels, rounded up to a cache line (a group's tiles read
  /// it at the group's channel offset).
  private var zeroRowFloats: Int { (groups * channelsPerGroup + 15) / 16 * 16 }

  /// Bytes of scratch one worker needs: for the GEMM, `GemmDriver`'s; for packed tiles, one tile's packed
  /// rows; for the indirect kernel, the zero row and the indirection table of a block of positions.
  func scratchBytesPerWorker(site: StepSite) throws(RuntimeError) -> Int {
    switch strategy {
    case .gemm:
      return try CheckedMath.multiply(GemmDriver.scratchFloats(packsA: false), 4, "\(site): GEMM scratch bytes")
    case .sampledGemm:
      return try CheckedMath.multiply(sampledFloatsOffset + sampledFloats, 4, "\(site): GEMM scratch bytes")
    case .packedTiles:
      return 0
    case .indirect:
      let pointers = try CheckedMath.multiply(positionsPerBlock, axes.kernelVolume, "\(site): indirection table")
      let tableBytes = try CheckedMath.multiply(
        pointers, MemoryLayout<UnsafePointer<Float>>.stride, "\(site): indirection bytes")
      let zeroBytes = try CheckedMath.multiply(zeroRowFloats, 4, "\(site): zero row bytes")
      return try CheckedMath.add(tableBytes, zeroBytes, "\(site): scratch bytes")
    }
  }

  /// Floats of one packed tile (`Strategy.packedTiles`): 6 rows of a reduction of at most
  /// `Blocking.packedTileDepth` steps, small enough for the stack.
  private var packedTileFloats: Int { Self.positionsPerTile * channelsPerGroup * axes.kernelVolume }

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
      rowGranule: Self.positionsPerTile, columnGranule: columnGranule)
    withUnsafeTemporaryAllocation(of: FilledTable?.self, capacity: max(1, workers)) { tables in
      tables.initialize(repeating: nil)
      context.parallelFor(tasks: tasks.count, workers: workers) { index, worker in
        let task = tasks[index]
        let scratch = context.scratchFloats(worker: worker)
        switch strategy {
        case .gemm: runGemm(task, operands, scratch: scratch)
        case .sampledGemm: runSampledGemm(task, operands, scratch: scratch)
        case .packedTiles:
          withUnsafeTemporaryAllocation(of: Float.self, capacity: packedTileFloats) { panel in
            runPackedTiles(task, operands, panel: panel.baseAddress!)
          }
        case .indirect: runTiles(task, operands, scratch: scratch, filled: &tables[worker])
        }
      }
    }
  }

  /// The positions whose rows a worker's indirection table holds, in one run of the step: the table points
  /// at an image's first channel, so every group's tiles read the same table at their own channel offset.
  /// The tasks of a grouped convolution are (image, group) problems over the same positions, and a table
  /// built per task cost a quarter of the step: RegNetX-400MF's 16-channel groups at 14x14 and 7x7 (10 and 25
  /// groups) filled 380,000 pointers a run, 12 % of the network's time.
  private struct FilledTable: Equatable {
    var image: Int
    var positions: Range<Int>
  }

  /// Where a split along output channels may cut: at the width of the tile the strategy's kernel takes
  /// (32 or 64 channels on AVX-512), so that no piece ends in a narrower tile than one worker alone would
  /// run. Cut every 16 channels, MobileNetV2's 576-channel expansions at 14x14 went to two workers as eight
  /// pieces of 64 or 80 channels, the 80 ending in a one-panel tile. Any cut is a multiple of 16, so every
  /// channel is summed by the same chains either way.
  private var columnGranule: Int {
    switch strategy {
    case .gemm, .sampledGemm: GemmDriver.tileRowsKernel.nr
    case .packedTiles, .indirect: Self.tileKernel.lanes
    }
  }

  /// Where one task's problem (image and group) starts in the input and output.
  struct ProblemOrigin {
    var input: UnsafePointer<Float>
    var outputOffset: Int
    var group: Int
  }

  func origin(_ task: GemmTask, _ operands: Operands) -> ProblemOrigin {
    let image = task.problem / groups
    let group = task.problem % groups
    let channels = groups * channelsPerGroup
    let outputChannels = groups * outputChannelsPerGroup
    return ProblemOrigin(
      input: operands.input + image * axes.inputPlane * channels + group * channelsPerGroup,
      outputOffset: image * axes.outputPlane * outputChannels + group * outputChannelsPerGroup, group: group)
  }

  /// `Strategy.gemm`: the task's block of the problem's positions × output channels.
  private func runGemm(_ task: GemmTask, _ operands: Operands, scratch: UnsafeMutablePointer<Float>) {
    let problem = origin(task, operands)
    multiply(
      problem, operands, a: problem.input, aRowStride: groups * channelsPerGroup, rows: task.rows,
      columns: task.columns, scratch: scratch)
  }

  /// `C[rows, columns] = A · W` of one problem with its epilogue, A's row `r` (output position `r`) at
  /// `a + r · aRowStride`: the in-place GEMM for reductions it keeps in cache, else `GemmDriver`.
  func multiply(
    _ problem: ProblemOrigin, _ operands: Operands, a: UnsafePointer<Float>, aRowStride: Int, rows: Range<Int>,
    columns: Range<Int>, scratch: UnsafeMutablePointer<Float>
  ) {
    let outputChannels = groups * outputChannelsPerGroup
    var epilogue = MatrixEpilogue(activation: operands.activation)
    if let bias = operands.bias {
      epilogue.bias = bias + problem.group * outputChannelsPerGroup
      epilogue.biasColumnStride = 1
    }
    if let residual = operands.residual {
      epilogue.residual = residual + problem.outputOffset
      epilogue.residualRowStride = outputChannels
    }
    let weights = PrepackedPanels(packed: weights[problem.group])
    let output = operands.output + problem.outputOffset
    if ResidentWeightsGemm.applies(k: channelsPerGroup, m: axes.outputPlane, n: outputChannelsPerGroup) {
      ResidentWeightsGemm.run(
        k: channelsPerGroup, a: a, aRowStride: aRowStride, b: weights, c: output,
        cRowStride: outputChannels, epilogue: epilogue, rows: rows, columns: columns,
        rowBlockBytes: residentRowBlockBytes)
    } else {
      GemmDriver.run(
        k: channelsPerGroup, a: .rows(a, rowStride: aRowStride), b: weights, c: output,
        cRowStride: outputChannels, epilogue: epilogue, rows: rows, columns: columns, scratch: scratch)
    }
  }

  /// `Strategy.indirect`: the task's positions block by block, each block's indirection built unless the
  /// worker's table (`filled`, nil before its first task of the run) already holds it.
  private func runTiles(
    _ task: GemmTask, _ operands: Operands, scratch: UnsafeMutablePointer<Float>, filled: inout FilledTable?
  ) {
    let problem = origin(task, operands)
    let image = task.problem / groups
    let imageInput = operands.input + image * axes.inputPlane * groups * channelsPerGroup
    let zeroRow = UnsafePointer(scratch)
    if filled == nil { scratch.update(repeating: 0, count: zeroRowFloats) }
    let table = UnsafeMutableRawPointer(scratch + zeroRowFloats).bindMemory(
      to: UnsafePointer<Float>.self, capacity: positionsPerBlock * axes.kernelVolume)
    var blockStart = task.rows.lowerBound
    while blockStart < task.rows.upperBound {
      let block = blockStart..<min(task.rows.upperBound, blockStart + positionsPerBlock)
      let wanted = FilledTable(image: image, positions: block)
      if filled != wanted {
        indirection.fill(table, positions: block, input: imageInput, zeroRow: zeroRow)
        filled = wanted
      }
      let prefetch = WeightPrefetchOrder(
        columns: task.columns, channelsPerGroup: channelsPerGroup, channelBlock: channelBlock,
        morePositionBlocks: block.upperBound < task.rows.upperBound,
        tilesPerColumnTile: (block.count + Self.positionsPerTile - 1) / Self.positionsPerTile)
      runIndirectTiles(
        TileBlock(
          problem: problem, positions: block, columns: task.columns, table: UnsafePointer(table), operands: operands,
          prefetch: prefetch))
      blockStart = block.upperBound
    }
  }

  /// A block of positions of one problem, the task's output channels, and the block's indirection.
  private struct TileBlock {
    var problem: ProblemOrigin
    var positions: Range<Int>
    var columns: Range<Int>
    var table: UnsafePointer<UnsafePointer<Float>>
    var operands: Operands
    var prefetch: WeightPrefetchOrder
  }

  /// The epilogue of the tile at `position` and output channel `column` (both within the problem).
  private func tileEpilogue(_ problem: ProblemOrigin, _ operands: Operands, position: Int, column: Int)
    -> TileEpilogue
  {
    let outputChannels = groups * outputChannelsPerGroup
    let offset = problem.outputOffset + position * outputChannels + column
    return TileEpilogue(
      bias: operands.bias.map { $0 + problem.group * outputChannelsPerGroup + column },
      biasColumnStride: 1, residual: operands.residual.map { $0 + offset }, residualRowStride: outputChannels,
      activation: operands.activation)
  }

  /// `Strategy.indirect`: each block of input channels, each panel of weights over the block's tiles, which
  /// hint the next panels into cache (`WeightPrefetchOrder`).
  private func runIndirectTiles(_ block: TileBlock) {
    let outputChannels = groups * outputChannelsPerGroup
    let taps = axes.kernelVolume
    var firstChannel = 0
    while firstChannel < channelsPerGroup {
      let channels = min(channelBlock, channelsPerGroup - firstChannel)
      let isLast = firstChannel + channels == channelsPerGroup
      let groupWeights = weights[block.problem.group]
      var column = block.columns.lowerBound
      while column < block.columns.upperBound {
        let panel = groupWeights.panel(column / Self.lanes) + firstChannel * taps * Self.lanes
        let remaining = block.columns.upperBound - column
        let kernel = Self.indirectKernel(remaining: remaining, depth: taps * channels)
        let columns = min(kernel.lanes, remaining)
        let positionsPerCall = kernel.positions
        var position = block.positions.lowerBound
        var tileTable = block.table
        var tileIndex = 0
        while position < block.positions.upperBound {
          let rows = min(positionsPerCall, block.positions.upperBound - position)
          var tile = IndirectGemmTile(
            taps: taps, channels: channels, channelOffset: block.problem.group * channelsPerGroup + firstChannel,
            indirection: tileTable, b: panel,
            bPanelStride: groupWeights.depth * groupWeights.width,
            c: block.operands.output + block.problem.outputOffset + position * outputChannels + column,
            cRowStride: outputChannels, rows: rows, columns: columns, accumulate: firstChannel > 0,
            epilogue: isLast ? tileEpilogue(block.problem, block.operands, position: position, column: column) : nil)
          let hint = block.prefetch.region(tile: tileIndex, nextColumn: column + columns, firstChannel: firstChannel)
          if let hint {
            let parts = block.prefetch.partsPerPanel
            let partLines = (taps * channels + parts - 1) / parts
            tile.prefetch =
              groupWeights.panel(hint.column / Self.lanes) + (hint.channel * taps + hint.part * partLines) * Self.lanes
            tile.prefetchStep = Self.lanes / parts
            if block.prefetch.panelsHinted(from: hint.column) > 1 {
              tile.prefetchPanelStride = groupWeights.depth * groupWeights.width
            }
          }
          tileIndex += 1
          // Two calls rather than one on a kernel chosen per tile: a chosen class reference was retained and
          // released per tile.
          if rows == 1 && IndirectGemmMicrokernelOnePosition.matchesSixPositionKernels(columns: columns) {
            Self.onePositionKernel.run(tile)
          } else {
            kernel.run(tile)
          }
          position += positionsPerCall
          tileTable += taps * positionsPerCall
        }
        column += columns
      }
      firstChannel += channels
    }
  }

  /// `Strategy.packedTiles`: each tile's rows gathered into one packed panel, then every panel of weights of
  /// the task.
  private func runPackedTiles(_ task: GemmTask, _ operands: Operands, panel scratch: UnsafeMutablePointer<Float>) {
    let problem = origin(task, operands)
    let outputChannels = groups * outputChannelsPerGroup
    let depth = channelsPerGroup * axes.kernelVolume
    var position = task.rows.lowerBound
    while position < task.rows.upperBound {
      let rows = min(Self.positionsPerTile, task.rows.upperBound - position)
      // A stem's three colour channels, the common short reduction, get the gather fully unrolled.
      if channelsPerGroup == 3 {
        gatherTile(position: position, rows: rows, input: problem.input, channels: 3, into: scratch)
      } else {
        gatherTile(position: position, rows: rows, input: problem.input, channels: channelsPerGroup, into: scratch)
      }
      let groupWeights = weights[problem.group]
      var column = task.columns.lowerBound
      while column < task.columns.upperBound {
        let columns = min(Self.packedTileKernel.nr, task.columns.upperBound - column)
        Self.packedTileKernel.run(
          GemmTile(
            depth: depth, a: scratch, b: groupWeights.panel(column / Self.lanes),
            bPanelStride: groupWeights.depth * groupWeights.width,
            c: operands.output + problem.outputOffset + position * outputChannels + column,
            cRowStride: outputChannels, rows: rows, columns: columns,
            accumulate: false, epilogue: tileEpilogue(problem, operands, position: position, column: column)))
        column += columns
      }
      position += Self.positionsPerTile
    }
  }

  /// Gathers the rows of the tile of `rows` positions from `position` into a GEMM A panel in the weights'
  /// order (step `c · taps + tap`, 6 rows a step; zeros for taps in the padding and rows past `rows`). Tap
  /// by tap, so that the six rows of a step are written side by side; a whole tile within one output row
  /// reads its six positions at one stride.
  @inline(__always)
  private func gatherTile(
    position: Int, rows: Int, input: UnsafePointer<Float>, channels: Int, into panel: UnsafeMutablePointer<Float>
  ) {
    let tile = Self.positionsPerTile
    let channelStride = axes.kernelVolume * tile
    let inputChannels = groups * channelsPerGroup
    let (outH, outW) = (axes.output[1], axes.output[2])
    let (inD, inH, inW) = (axes.input[0], axes.input[1], axes.input[2])
    let (kernelH, kernelW) = (axes.kernel[1], axes.kernel[2])
    let strideW = axes.strides[2]
    let dilationW = axes.dilations[2]
    /// The window origin of the tile's row `row` (the last valid row repeated) along depth, height, width.
    @inline(__always)
    func origin(_ row: Int) -> (d: Int, h: Int, w: Int) {
      let current = position + min(row, rows - 1)
      return (
        current / (outH * outW) * axes.strides[0] - axes.padsBegin[0],
        current / outW % outH * axes.strides[1] - axes.padsBegin[1], current % outW * strideW - axes.padsBegin[2]
      )
    }
    let start = origin(0)
    let isRowRun = rows == tile && position % outW + tile <= outW
    var destination = panel
    for kd in 0..<axes.kernel[0] {
      for kh in 0..<kernelH {
        for kw in 0..<kernelW {
          let d = start.d + kd * axes.dilations[0]
          let h = start.h + kh * axes.dilations[1]
          let first = start.w + kw * dilationW
          if isRowRun, d >= 0, d < inD, h >= 0, h < inH, first >= 0, first + (tile - 1) * strideW < inW {
            let source = input + ((d * inH + h) * inW + first) * inputChannels
            let step = strideW * inputChannels
            for channel in 0..<channels {
              for row in 0..<tile { destination[channel * channelStride + row] = source[row * step + channel] }
            }
          } else {
            for row in 0..<tile {
              let rowOrigin = origin(row)
              let d = rowOrigin.d + kd * axes.dilations[0]
              let h = rowOrigin.h + kh * axes.dilations[1]
              let w = rowOrigin.w + kw * dilationW
              let inside = row < rows && d >= 0 && d < inD && h >= 0 && h < inH && w >= 0 && w < inW
              let source = input + (inside ? ((d * inH + h) * inW + w) * inputChannels : 0)
              for channel in 0..<channels { destination[channel * channelStride + row] = inside ? source[channel] : 0 }
            }
          }
          destination += tile
        }
      }
    }
  }
}
