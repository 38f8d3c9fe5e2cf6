import ResKernels
import ResPlan

/// `f32_conv_nchw_generic`: convolution of any spatial rank (1–3), group, stride, dilation and padding, with
/// the fused epilogue. With channels-last activations it runs one of the channels-last methods
/// (`ConvOperator+ChannelsLast`); otherwise the method is chosen once, when the plan is loaded, by
/// `ConvMethod.choose` (ResPlan, shared with the compiler, which packs the weights for the method it names):
/// - one input channel per group (depthwise), 1-D or 2-D, runs `DepthwiseConvolution`;
/// - at most 16 output positions (a squeeze-and-excitation block's one, a DPN's 4x4 stage), with constant
///   weights, runs `FewPositionsConvolution`: channels-last between two transposes, output channels on the lanes;
/// - a 2-D 3×3 window with unit strides and dilations, constant weights and enough channels per group runs
///   `WinogradConvolution`;
/// - a 2-D window of one group at stride 1 or 2 with a short reduction (a stem on three colour channels) and
///   constant weights runs `GridConvolution`;
/// - a window larger than one pixel, with constant weights and enough output channels per group to use the
///   vector lanes, runs `DirectConvolution` (no packing per run);
/// - a 1×1, stride-1, unpadded convolution is one GEMM per image and group that reads X as its B matrix;
/// - a strided, unpadded 1×1 (a ResNet downsample), or a patch embedding (windows that never overlap, with a
///   long reduction), copies its im2col matrix once (`StridedSampling`) and runs as the stride-1 1×1 does;
/// - anything else (a padded 1×1, few output channels per group, weights computed at run time, or padding so
///   large that padded planes would not be compact: `PaddedInput.isCompact`) is one GEMM per image and group,
///   `Y[g] (M/g × P) = W[g] (M/g × K) · im2col(X[g]) (K × P)`, `K = C/g · kernel volume`, whose B panels are
///   packed straight from X (`Im2ColPanels`).
/// A prologue (`act(x·scale[c] + shift[c])` on the input, a pre-activation BatchNorm and ReLU) is applied
/// where the GEMM methods over X's channels read them: while packing B's panels (pointwise), while copying
/// the sampled positions (subsampled), while transposing X (few positions) or while packing X's planes as
/// rows of A (`ChannelsLastPointwise`, Y channels-last). Any other method refuses it
/// when the plan is loaded.
/// 1×1 windows stay GEMMs: their packing is shared by every output channel, and the GEMM's cache blocking
/// reuses the weights better than the direct loop does. Constant weights of the direct, Winograd and GEMM
/// methods are read in the microkernel's panel layout (Winograd's transformed first): the plan's packed bytes
/// in place, or packed (transformed) once at load.
struct ConvOperator: Operator {
  let x: PlanBuffer
  let weights: PlanBuffer
  let bias: PlanBuffer?
  let residual: PlanBuffer?
  let y: PlanBuffer
  let axes: WindowAxes
  let batch: Int
  let groups: Int
  let channelsPerGroup: Int
  let outputChannelsPerGroup: Int
  let depth: Int
  let activation: PointwiseFunction
  let prologue: Prologue?
  let method: Method
  /// Bytes of scratch the method shares among its workers (the direct method's padded input, the subsampled
  /// method's sampled positions, or the pointwise method's B panels packed once: `SharedPanels`).
  let methodScratchBytes: Int
  /// How the epilogue reads a residual that is Y's own bytes (an in-place epilogue); nil when the residual is
  /// a buffer of its own or there is none.
  let residualInPlace: ResidualInPlace?
  /// Bytes of scratch per worker (GEMM blocks, or the depthwise method's padded plane).
  let scratchBytesPerWorker: Int

  /// The input transform and its operands (`[C]` each).
  struct Prologue {
    let scale: PlanBuffer
    let shift: PlanBuffer
    let activation: PointwiseFunction

    func transform(_ context: RunContext) -> ChannelTransform {
      ChannelTransform(
        scale: UnsafePointer(context.floats(scale)), shift: UnsafePointer(context.floats(shift)),
        activation: activation)
    }
  }

  enum Method {
    /// 1×1 kernel, unit strides, no padding: X is already the B matrix. Weights packed at load when constant.
    case pointwise(packedWeights: [PackedPanels]?)
    /// Windows that never overlap (a strided, unpadded 1×1; a patch embedding): the im2col matrix copied once
    /// into a contiguous matrix (`StridedSampling`), which the GEMM then reads as `pointwise` reads X.
    case subsampled(packedWeights: [PackedPanels]?)
    /// Any other geometry through im2col panels; weights packed at load when constant.
    case im2col(packedWeights: [PackedPanels]?)
    case direct(DirectConvolution)
    /// A short reduction at stride 1 or 2: output positions on the lanes, the input's stride phases read in place.
    case grid(GridConvolution)
    /// 2-D 3×3, unit strides and dilations, constant weights: Winograd's minimal filtering over GEMMs.
    case winograd(WinogradConvolution)
    /// One input channel per group, 1-D or 2-D.
    case depthwise(DepthwiseConvolution)
    /// Fewer output positions than a vector has lanes: computed channels-last between two transposes.
    case fewPositions(FewPositionsConvolution)
    /// X, Y and the residual channels-last (`ConvOperator+ChannelsLast`).
    case channelsLast(ChannelsLastMethod)
  }

  var readsChannelsLast: Bool {
    if case .channelsLast = method { true } else { false }
  }

  init(_ params: Rescompile_Plan_ConvParams, _ operands: StepOperands) throws(RuntimeError) {
    let epilogue = try FusedEpilogue(params.epilogue, operands)
    let epilogueCount = epilogue.inputCount(fixed: 2)
    let count = epilogueCount + (params.hasPrologue ? 2 : 0)
    try operands.requireCounts(inputs: count...count, outputs: 1...1)
    x = try operands.input(0, "X", .f32)
    weights = try operands.weight(1, "W")
    y = try operands.output(0, "Y", .f32)
    bias = epilogue.hasBias ? try operands.input(2, "bias", .f32) : nil
    residual = epilogue.hasResidual ? try operands.input(epilogueCount - 1, "residual", .f32) : nil
    activation = epilogue.activation
    prologue =
      params.hasPrologue
      ? Prologue(
        scale: try operands.input(epilogueCount, "input scale", .f32),
        shift: try operands.input(epilogueCount + 1, "input shift", .f32),
        activation: try PointwiseFunction(params.prologue.activation, operands)) : nil
    try operands.requireRank(x, "X", 3...5)
    try operands.requireRank(weights, "W", x.rank...x.rank)
    try operands.requireRank(y, "Y", x.rank...x.rank)

    batch = x.shape[0]
    let channels = x.shape[1]
    let outputChannels = weights.shape[0]
    guard params.group >= 0, params.group <= Int64(WindowAxes.largestExtent) else {
      throw operands.failure("group \(params.group) is out of range")
    }
    groups = params.group == 0 ? 1 : Int(params.group)
    let (groupedChannels, overflow) = weights.shape[1].multipliedReportingOverflow(by: groups)
    guard !overflow, channels % groups == 0, outputChannels % groups == 0, groupedChannels == channels else {
      throw operands.failure(
        "X has \(channels) channels and W is \(ShapeText.of(weights.shape)), inconsistent with group \(groups)")
    }
    channelsPerGroup = channels / groups
    outputChannelsPerGroup = outputChannels / groups
    var axes = try WindowAxes(
      input: Array(x.shape[2...]), kernelShape: params.kernelShape, defaultKernel: Array(weights.shape[2...]),
      strides: params.strides, dilations: params.dilations, pads: params.pads, operands: operands)
    guard axes.kernel.suffix(x.rank - 2) == weights.shape[2...] else {
      throw operands.failure(
        "kernel_shape \(params.kernelShape) does not match W's spatial shape \(ShapeText.of(Array(weights.shape[2...])))")
    }
    var spatialOutput: [Int] = []
    for axis in (3 - (x.rank - 2))..<3 {
      guard let size = axes.floorOutput(axis: axis) else {
        throw operands.failure("the kernel is larger than the padded input \(ShapeText.of(x.shape))")
      }
      spatialOutput.append(size)
    }
    try axes.setOutput(spatialOutput, operands)
    self.axes = axes
    let expected = [batch, outputChannels] + spatialOutput
    try operands.requireShape(y, "Y", expected)
    if let bias { try operands.requireShape(bias, "bias", [outputChannels]) }
    if let residual { try operands.requireShape(residual, "residual", expected) }
    if let prologue {
      try operands.requireShape(prologue.scale, "input scale", [channels])
      try operands.requireShape(prologue.shift, "input shift", [channels])
    }
    depth = try CheckedMath.multiply(channelsPerGroup, axes.kernelVolume, "\(operands.site): reduction length")

    switch try Self.activationLayouts(x: x, y: y, residual: residual, operands) {
    case .channelsLast:
      (method, methodScratchBytes, scratchBytesPerWorker) = try ConvOperator.chooseChannelsLastMethod(
        weights: weights, allowsWinograd: !params.exactSums, axes: axes, groups: groups,
        channelsPerGroup: channelsPerGroup,
        outputChannelsPerGroup: outputChannelsPerGroup, batch: batch, operands)
    case .rowMajorToChannelsLast:
      (method, methodScratchBytes, scratchBytesPerWorker) = try ConvOperator.chooseRowMajorToChannelsLastMethod(
        weights: weights, allowsWinograd: !params.exactSums, axes: axes, groups: groups,
        channelsPerGroup: channelsPerGroup,
        outputChannelsPerGroup: outputChannelsPerGroup, operands)
    case .rowMajor:
      (method, methodScratchBytes, scratchBytesPerWorker) = try ConvOperator.chooseMethod(
        weights: weights, allowsWinograd: !params.exactSums, axes: axes, groups: groups,
        channelsPerGroup: channelsPerGroup,
        outputChannelsPerGroup: outputChannelsPerGroup, depth: depth, operands)
    }
    residualInPlace = try ResidualInPlace.placement(
      y: y, residual: residual, others: [x, weights] + [bias, prologue?.scale, prologue?.shift].compactMap { $0 },
      storesEachOutputOnce: method.storesEachOutputOnce, scratchOffset: methodScratchBytes, operands)
    try requirePrologueSupport(operands)
  }

  /// The method's shared scratch, then the residual's copy when the method cannot read it in place.
  var sharedScratchBytes: Int {
    residualInPlace?.scratchBytes(after: methodScratchBytes, output: y) ?? methodScratchBytes
  }

  /// The residual the epilogue adds: its buffer, or its copy in the shared scratch (`ResidualInPlace.copied`).
  func residualOperand(_ context: RunContext) -> UnsafePointer<Float>? {
    guard let residual else { return nil }
    if let copy = residualInPlace?.copy(in: context, count: y.count) { return copy }
    return UnsafePointer(context.floats(residual))
  }

  /// A prologue is applied by the methods that read X's channels as GEMM rows; every other method would
  /// silently compute from the untransformed input, so the plan is refused instead.
  private func requirePrologueSupport(_ operands: StepOperands) throws(RuntimeError) {
    guard prologue != nil else { return }
    switch method {
    case .pointwise, .subsampled, .fewPositions, .channelsLast(.pointwise): return
    case .im2col, .direct, .winograd, .depthwise, .grid, .channelsLast:
      throw operands.failure(
        "has an input prologue, which only a 1x1 unpadded, not depthwise convolution (the pointwise and subsampled "
          + "methods) applies; this one runs as \(methodLabel ?? "another method")")
    }
  }

  /// The method for this geometry (`ConvMethod.choose`, the rule the compiler packed the weights by) and
  /// the scratch it needs: shared, and per worker.
  private static func chooseMethod(
    weights: PlanBuffer, allowsWinograd: Bool, axes: WindowAxes, groups: Int, channelsPerGroup: Int,
    outputChannelsPerGroup: Int,
    depth: Int, _ operands: StepOperands
  ) throws(RuntimeError) -> (Method, shared: Int, perWorker: Int) {
    let site = operands.site
    let shape = ConvShape(
      input: axes.input, output: axes.output, kernel: axes.kernel, strides: axes.strides, dilations: axes.dilations,
      padsBegin: axes.padsBegin, padsEnd: axes.padsEnd, groups: groups, channelsPerGroup: channelsPerGroup,
      outputChannelsPerGroup: outputChannelsPerGroup, allowsWinograd: allowsWinograd)
    let kind = ConvMethod.choose(shape, weightsAreConstant: weights.isConstant)
    let layout = kind.weightLayout(shape, widths: .runtime, recorded: weights.packing)
    let packed: [PackedPanels]? =
      if let layout, !layout.isTransformed {
        try operands.panels(of: weights, layout: layout)
      } else {
        nil
      }
    if packed == nil, kind != .winograd { try operands.requireUnpacked(weights, "W") }
    let gemmScratch = GemmDriver.scratchFloats(packsA: packed == nil) * 4
    switch kind {
    case .depthwise:
      let depthwise = DepthwiseConvolution(
        input: try PaddedInput(axes, site: site), channels: groups, multiplier: outputChannelsPerGroup)
      return (.depthwise(depthwise), 0, try depthwise.scratchBytes(site: site))
    case .winograd:
      guard let layout, let transformed = try operands.winogradWeights(of: weights, layout: layout) else {
        throw operands.failure("the Winograd method needs constant weights")
      }
      let winograd = try WinogradConvolution(weights: transformed, axes: axes)
      return (
        .winograd(winograd), try winograd.sharedScratchBytes(batch: operands.inputs[0].shape[0], site: site),
        try winograd.scratchBytes(site: site)
      )
    case .grid:
      guard let weights = packed?.first,
        let grid = GridConvolution(
          weights: weights, input: try PaddedInput(axes, site: site), channels: channelsPerGroup,
          outputChannels: outputChannelsPerGroup)
      else {
        throw operands.failure(
          "the grid method needs constant weights of one group in \(MicrokernelRegistry.gridConv.mr)-row panels")
      }
      return (.grid(grid), try grid.sharedScratchBytes(site: site), 0)
    case .direct:
      guard let packed else { throw operands.failure("the direct method needs constant weights") }
      let direct = try DirectConvolution(
        weights: packed, input: try PaddedInput(axes, site: site), groups: groups, channelsPerGroup: channelsPerGroup,
        outputChannelsPerGroup: outputChannelsPerGroup)
      let partialSumBytes = try CheckedMath.multiply(direct.partialSumFloats, 4, "\(site): partial sums")
      return (.direct(direct), try direct.scratchBytes(site: site), partialSumBytes)
    case .fewPositions:
      guard let packed else { throw operands.failure("the few-positions method needs constant weights") }
      let few = FewPositionsConvolution(
        convolution: try ChannelsLastConvolution(
          weights: packed, axes: axes, groups: groups, channelsPerGroup: channelsPerGroup,
          outputChannelsPerGroup: outputChannelsPerGroup),
        batch: operands.inputs[0].shape[0], channels: groups * channelsPerGroup,
        outputChannels: groups * outputChannelsPerGroup, inputPlane: axes.inputPlane, outputPlane: axes.outputPlane)
      return (
        .fewPositions(few), try few.sharedScratchBytes(site: site),
        try few.convolution.scratchBytesPerWorker(site: site)
      )
    case .channelsLastDepthwise, .channelsLastWinograd, .channelsLastGemm, .channelsLastGrid, .channelsLastPointwise:
      throw operands.failure("the \(kind) method needs channels-last operands")
    case .im2col:
      return (.im2col(packedWeights: packed), 0, gemmScratch)
    case .pointwise:
      let sharedPanels = try sharedPanelBytes(
        batch: operands.inputs[0].shape[0], groups: groups, rows: outputChannelsPerGroup, depth: depth,
        columns: axes.outputPlane, site: site)
      return (.pointwise(packedWeights: packed), sharedPanels, gemmScratch)
    case .subsampled:
      let channels = try CheckedMath.multiply(groups, channelsPerGroup, "\(site): channels")
      let sampledFloats = try CheckedMath.product(
        [operands.inputs[0].shape[0], channels, axes.kernelVolume, axes.outputPlane], "\(site): sampled input")
      let sampled = try CheckedMath.multiply(wholeVectors(sampledFloats), 4, "\(site): sampled input bytes")
      let sharedPanels = try sharedPanelBytes(
        batch: operands.inputs[0].shape[0], groups: groups, rows: outputChannelsPerGroup, depth: depth,
        columns: axes.outputPlane, site: site)
      let shared = try CheckedMath.add(sampled, sharedPanels, "\(site): sampled input and shared B panels bytes")
      return (.subsampled(packedWeights: packed), shared, gemmScratch)
    }
  }

  /// `floats` rounded up to whole 16-float vectors (64 bytes), where the next part of a shared scratch starts.
  private static func wholeVectors(_ floats: Int) -> Int { (floats + 15) / 16 * 16 }

  /// Bytes of every problem's (image's and group's) B packed once (`SharedPanels`) when `GemmPartition`
  /// would cut the GEMM along its rows (more row tiles than column tiles), the split whose pieces each pack
  /// the whole of B; else 0.
  private static func sharedPanelBytes(
    batch: Int, groups: Int, rows: Int, depth: Int, columns: Int, site: StepSite
  ) throws(RuntimeError) -> Int {
    let (mr, nr) = (GemmDriver.kernel.mr, GemmDriver.kernel.nr)
    let rowTiles = (rows + mr - 1) / mr
    let columnTiles = (columns + nr - 1) / nr
    guard columnTiles < rowTiles else { return 0 }
    return try CheckedMath.product([batch, groups, columnTiles, nr, depth, 4], "\(site): shared B panels")
  }

  /// `m` when this step computes Winograd `F(m×m, 3×3)`, in either layout; nil for every other method.
  var winogradOutputTile: Int? {
    switch method {
    case .winograd(let winograd): winograd.variant.outputTile
    case .channelsLast(.winograd(let winograd)): winograd.weights.variant.outputTile
    default: nil
    }
  }

  var methodLabel: String? {
    switch method {
    case .pointwise: "pointwise GEMM"
    case .subsampled: "subsampled GEMM"
    case .im2col: "im2col GEMM"
    case .winograd(let winograd): "Winograd \(winograd.variant.label)"
    case .direct: "direct"
    case .grid: "grid"
    case .depthwise: "depthwise"
    case .fewPositions: "few-positions GEMM"
    case .channelsLast(let method): method.label
    }
  }

  func run(_ context: RunContext) {
    if let residual, let residualInPlace { residualInPlace.prepare(context, residual: residual, count: y.count) }
    switch method {
    case .pointwise(let packed):
      let input = UnsafePointer(context.floats(x))
      if let prologue {
        runGemm(
          context, packedWeights: packed,
          input: .transformed(
            input, prologue.transform(context), plane: axes.inputPlane, packsOnce: methodScratchBytes > 0))
      } else {
        runGemm(
          context, packedWeights: packed,
          input: .matrix(input, plane: axes.inputPlane, packsOnce: methodScratchBytes > 0))
      }
    case .subsampled(let packed):
      // The shared scratch holds the sampled matrix, then its packed panels when `sharedPanelBytes` reserved them.
      let sampledFloats = Self.wholeVectors(batch * groups * depth * axes.outputPlane)
      runGemm(
        context, packedWeights: packed,
        input: .matrix(sample(context), plane: axes.outputPlane, packsOnce: methodScratchBytes > sampledFloats * 4),
        sharedPanelsAt: sampledFloats)
    case .im2col(let packed): runGemm(context, packedWeights: packed, input: .im2col)
    case .direct(let direct): runDirect(context, direct)
    case .grid(let grid): runGrid(context, grid)
    case .winograd(let winograd): runWinograd(context, winograd)
    case .depthwise(let depthwise): runDepthwise(context, depthwise)
    case .fewPositions(let few): runFewPositions(context, few)
    case .channelsLast(let method): runChannelsLast(context, method)
    }
  }

  private func runFewPositions(_ context: RunContext, _ few: FewPositionsConvolution) {
    let workers = context.workers(work: RunContext.work(y.count, depth), tasks: y.count / max(batch, 1))
    few.run(
      context,
      FewPositionsConvolution.Operands(
        input: UnsafePointer(context.floats(x)), output: context.floats(y),
        bias: bias.map { UnsafePointer(context.floats($0)) }, residual: residualOperand(context),
        activation: activation, prologue: prologue?.transform(context),
        scratch: context.sharedScratch.bindMemory(to: Float.self, capacity: methodScratchBytes / 4)),
      workers: workers)
  }

  private func runDirect(_ context: RunContext, _ direct: DirectConvolution) {
    let input = UnsafePointer(context.floats(x))
    let output = context.floats(y)
    let biasBase = bias.map { UnsafePointer(context.floats($0)) }
    let residualBase = residualOperand(context)
    let imageInput = groups * channelsPerGroup * axes.inputPlane
    let imageOutput = groups * outputChannelsPerGroup * axes.outputPlane
    let workers = context.workers(work: RunContext.work(y.count, depth), tasks: y.count / max(batch, 1))
    for image in 0..<batch {
      direct.run(
        context, image: input + image * imageInput, output: output + image * imageOutput,
        epilogue: DirectConvolution.ImageEpilogue(
          bias: biasBase, residual: residualBase.map { $0 + image * imageOutput }, activation: activation),
        workers: workers)
    }
  }

  private func runGrid(_ context: RunContext, _ grid: GridConvolution) {
    let input = UnsafePointer(context.floats(x))
    let output = context.floats(y)
    let imageInput = channelsPerGroup * axes.inputPlane
    let imageOutput = outputChannelsPerGroup * axes.outputPlane
    let workers = context.workers(work: RunContext.work(y.count, depth), tasks: y.count / max(batch, 1))
    for image in 0..<batch {
      var epilogue = MatrixEpilogue(activation: activation)
      if let bias {
        epilogue.bias = UnsafePointer(context.floats(bias))
        epilogue.biasRowStride = 1
      }
      if let residual = residualOperand(context) {
        epilogue.residual = residual + image * imageOutput
        epilogue.residualRowStride = axes.outputPlane
      }
      grid.run(
        context,
        GridConvolution.ImageOperands(
          input: input + image * imageInput, output: output + image * imageOutput, epilogue: epilogue),
        workers: workers)
    }
  }

  private func runWinograd(_ context: RunContext, _ winograd: WinogradConvolution) {
    let operands = WinogradConvolution.Operands(
      input: UnsafePointer(context.floats(x)), output: context.floats(y),
      bias: bias.map { UnsafePointer(context.floats($0)) }, residual: residualOperand(context),
      activation: activation, batch: batch,
      sharedTransformed: methodScratchBytes > 0
        ? context.sharedScratch.bindMemory(to: Float.self, capacity: methodScratchBytes / 4) : nil)
    let workers = context.workers(work: RunContext.work(y.count, depth), tasks: y.count / max(batch, 1))
    winograd.run(context, operands, workers: workers)
  }

  private func runDepthwise(_ context: RunContext, _ depthwise: DepthwiseConvolution) {
    let input = UnsafePointer(context.floats(x))
    let weightBase = UnsafePointer(context.floats(weights))
    let output = context.floats(y)
    let biasBase = bias.map { UnsafePointer(context.floats($0)) }
    let residualBase = residualOperand(context)
    let imageInput = groups * axes.inputPlane
    let imageOutput = groups * outputChannelsPerGroup * axes.outputPlane
    let workers = context.workers(work: depthwise.work(inputCount: x.count, outputCount: y.count), tasks: groups)
    for image in 0..<batch {
      depthwise.run(
        context,
        DepthwiseConvolution.ImageOperands(
          input: input + image * imageInput, weights: weightBase, output: output + image * imageOutput,
          bias: biasBase, residual: residualBase.map { $0 + image * imageOutput }, activation: activation),
        workers: workers)
    }
  }

  /// Copies the im2col matrix of disjoint windows (a strided 1×1, a patch embedding: `StridedSampling`) into
  /// the shared scratch, in pieces of one channel's taps along one window row (`kernelW` rows of the matrix)
  /// split over the workers, applying the prologue to each piece while it is still in cache; returns the copy
  /// (`batch · channels · kernelVolume` rows of `outputPlane` floats: each problem's B, `depth` rows, one
  /// after another). Split by channels, a patch embedding's three colour planes kept one of two workers
  /// copying twice as long as the other.
  private func sample(_ context: RunContext) -> UnsafePointer<Float> {
    let input = UnsafePointer(context.floats(x))
    let (kernelD, kernelH, kernelW) = (axes.kernel[0], axes.kernel[1], axes.kernel[2])
    let tapRows = kernelD * kernelH
    let pieces = batch * groups * channelsPerGroup * tapRows
    let pieceFloats = kernelW * axes.outputPlane
    let sampled = context.sharedScratch.bindMemory(to: Float.self, capacity: pieces * pieceFloats)
    let workers = context.workers(work: pieces * pieceFloats, tasks: pieces)
    let ranges = RunContext.ranges(of: pieces, parts: workers, granule: 1)
    let transform = prologue?.transform(context)
    let channels = groups * channelsPerGroup
    context.parallelFor(tasks: ranges.count, workers: workers) { index, _ in
      for piece in ranges[index] {
        let plane = piece / tapRows
        let destination = sampled + piece * pieceFloats
        StridedSampling.copyTaps(
          input + plane * axes.inputPlane, kd: piece % tapRows / kernelH, kh: piece % kernelH, axes: axes,
          into: destination)
        transform?.apply(row: plane % channels, destination, count: pieceFloats)
      }
    }
    return UnsafePointer(sampled)
  }

  /// Packs every problem's B (`depth × outputPlane`) into the shared scratch when `source` asks for it and
  /// the GEMM was cut into more pieces than problems (along rows, the only split `sharedPanelBytes` reserves
  /// room for); returns the panels, or nil to let each piece pack its own. The column panels are shared out
  /// among the GEMM's workers: packed by the calling thread alone, ResNet-50's 1024-channel B on 14×14 kept
  /// the other worker waiting for the whole packing, before a GEMM only twice its length. A prologue is
  /// applied as the panels are packed, once: each row piece packing its own B repeated DenseNet-121's
  /// normalized concatenation (up to 1024 channels on 14×14 and 7×7) on every worker.
  private func packSharedPanels(
    _ context: RunContext, _ source: GemmInput, problems: Int, tasks: Int, workers: Int, at offset: Int
  ) -> UnsafePointer<Float>? {
    guard tasks > problems, let (matrix, plane, transform) = source.packedOnce else { return nil }
    let floats = SharedPanels.floats(depth: depth, columns: axes.outputPlane)
    let panels = (context.sharedScratch + offset * 4).bindMemory(to: Float.self, capacity: problems * floats)
    let panelsPerProblem = SharedPanels.panelCount(columns: axes.outputPlane)
    let ranges = RunContext.ranges(of: problems * panelsPerProblem, parts: workers, granule: 1)
    context.parallelFor(tasks: ranges.count, workers: workers) { index, _ in
      var panel = ranges[index].lowerBound
      while panel < ranges[index].upperBound {
        let problem = panel / panelsPerProblem
        let end = min(ranges[index].upperBound, (problem + 1) * panelsPerProblem)
        let group = problem % groups
        SharedPanels.pack(
          matrix + problem * depth * plane, depthStride: plane, depth: depth, columns: axes.outputPlane,
          panels: (panel - problem * panelsPerProblem)..<(end - problem * panelsPerProblem),
          transform: transform?.advanced(by: group * channelsPerGroup), into: panels + problem * floats)
        panel = end
      }
    }
    return UnsafePointer(panels)
  }

  /// Where a GEMM method's B operand comes from.
  private enum GemmInput {
    /// Channels as rows of `plane` floats: X itself (pointwise), or its sampled copy (a row per channel and tap). `packsOnce`: when the
    /// GEMM is cut along its rows, B is packed once into the shared scratch (`SharedPanels`).
    case matrix(UnsafePointer<Float>, plane: Int, packsOnce: Bool)
    /// X itself with the prologue applied as its panels are packed; `packsOnce` as for `matrix`.
    case transformed(UnsafePointer<Float>, ChannelTransform, plane: Int, packsOnce: Bool)
    /// X read as im2col columns.
    case im2col

    /// The matrix, its row length and its prologue when B is to be packed once for every piece.
    var packedOnce: (UnsafePointer<Float>, plane: Int, ChannelTransform?)? {
      switch self {
      case .matrix(let matrix, let plane, packsOnce: true): (matrix, plane, nil)
      case .transformed(let matrix, let transform, let plane, packsOnce: true): (matrix, plane, transform)
      case .matrix, .transformed, .im2col: nil
      }
    }
  }

  /// The GEMM of every problem (image and group) over `source`; B's panels packed once go to the shared
  /// scratch from float `sharedPanelsAt` (past whatever else the method keeps there).
  private func runGemm(
    _ context: RunContext, packedWeights: [PackedPanels]?, input source: GemmInput, sharedPanelsAt: Int = 0
  ) {
    let input = UnsafePointer(context.floats(x))
    let weightBase = UnsafePointer(context.floats(weights))
    let output = context.floats(y)
    let biasBase = bias.map { UnsafePointer(context.floats($0)) }
    let residualBase = residualOperand(context)
    let positions = axes.outputPlane
    let rows = outputChannelsPerGroup
    let problems = batch * groups
    let workers = context.workers(work: RunContext.work(y.count, depth), tasks: problems * positions)
    let tasks = GemmPartition.tasks(problems: problems, m: rows, n: positions, workers: workers)
    let sharedPanels = packSharedPanels(
      context, source, problems: problems, tasks: tasks.count, workers: workers, at: sharedPanelsAt)
    context.parallelFor(tasks: tasks.count, workers: workers) { index, worker in
      let task = tasks[index]
      let image = task.problem / groups
      let group = task.problem % groups
      let firstChannel = image * groups * channelsPerGroup + group * channelsPerGroup
      let firstOutput = (image * groups + group) * rows
      var epilogue = MatrixEpilogue(activation: activation)
      if let biasBase {
        epilogue.bias = biasBase + group * rows
        epilogue.biasRowStride = 1
      }
      if let residualBase {
        epilogue.residual = residualBase + firstOutput * positions
        epilogue.residualRowStride = positions
      }
      let a: GemmA =
        if let packedWeights { .packed(packedWeights[group].base) } else {
          .strided(weightBase + group * rows * depth, rowStride: depth, depthStride: 1)
        }
      let scratch = context.scratchFloats(worker: worker)
      if let sharedPanels {
        let problemPanels = sharedPanels + task.problem * SharedPanels.floats(depth: depth, columns: positions)
        GemmDriver.run(
          k: depth, a: a, b: SharedPanels(base: problemPanels, depth: depth),
          c: output + firstOutput * positions, cRowStride: positions, epilogue: epilogue, rows: task.rows,
          columns: task.columns, scratch: scratch)
        return
      }
      switch source {
      case .matrix(let matrix, let plane, _):
        // Each problem's B is `depth` rows: its channels (pointwise), or its channels' taps (sampled).
        let b = StridedPanels(base: matrix + task.problem * depth * plane, depthStride: plane, columnStride: 1)
        GemmDriver.run(
          k: depth, a: a, b: b,
          c: output + firstOutput * positions, cRowStride: positions, epilogue: epilogue, rows: task.rows,
          columns: task.columns, scratch: scratch)
      case .transformed(let matrix, let transform, let plane, _):
        GemmDriver.run(
          k: depth, a: a,
          b: TransformedPanels(
            base: matrix + firstChannel * plane, depthStride: plane,
            transform: transform.advanced(by: group * channelsPerGroup)),
          c: output + firstOutput * positions, cRowStride: positions, epilogue: epilogue, rows: task.rows,
          columns: task.columns, scratch: scratch)
      case .im2col:
        GemmDriver.run(
          k: depth, a: a, b: Im2ColPanels(input: input + firstChannel * axes.inputPlane, axes: axes),
          c: output + firstOutput * positions, cRowStride: positions, epilogue: epilogue, rows: task.rows,
          columns: task.columns, scratch: scratch)
      }
    }
  }
}
