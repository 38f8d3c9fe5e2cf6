import ResKernels
import ResPlan

/// The channels-last side of `ConvOperator`: when X, Y and the residual are channels-last (plan.proto
/// `ActivationLayout`), the step runs one of `ConvMethod.chooseChannelsLast`'s methods, all with channels on
/// the vector lanes and the positions of a tile read in place: `ChannelsLastDepthwise`, `ChannelsLastWinograd`,
/// or `ChannelsLastConvolution` (GEMM rows of positions, direct or through a pointer table per tap). When only
/// X is row-major (a step that starts a channels-last region), it runs `ChannelsLastGridConvolution` (an image
/// stem) or `ChannelsLastPointwise` (a 1x1, with its input prologue if it has one).
extension ConvOperator {
  enum ChannelsLastMethod {
    case depthwise(ChannelsLastDepthwise)
    case winograd(ChannelsLastWinograd)
    case gemm(ChannelsLastConvolution)
    /// X row-major (an image stem): `ChannelsLastGridConvolution`.
    case grid(ChannelsLastGridConvolution)
    /// X row-major (a 1x1, a DenseNet bottleneck): `ChannelsLastPointwise`.
    case pointwise(ChannelsLastPointwise)

    var label: String {
      switch self {
      case .depthwise: "channels-last depthwise"
      case .grid: "channels-last grid"
      case .pointwise: "channels-last pointwise GEMM"
      case .winograd(let winograd): "channels-last Winograd \(winograd.variant.label)"
      case .gemm(let gemm): gemm.methodLabel
      }
    }
  }

  /// How a step's activations are laid out: all row-major, all channels-last, or X row-major with Y and the
  /// residual channels-last (a step starting a channels-last region: `ConvMethod.chooseRowMajorToChannelsLast`).
  enum ActivationLayouts {
    case rowMajor
    case channelsLast
    case rowMajorToChannelsLast
  }

  /// The layouts of X, Y and the residual: Y and the residual alike, X either.
  static func activationLayouts(x: PlanBuffer, y: PlanBuffer, residual: PlanBuffer?, _ operands: StepOperands)
    throws(RuntimeError) -> ActivationLayouts
  {
    let results = [y] + (residual.map { [$0] } ?? [])
    let channelsLast = results.filter(\.isChannelsLast)
    guard channelsLast.isEmpty || channelsLast.count == results.count, !x.isChannelsLast || !channelsLast.isEmpty
    else {
      let labels = ([x] + results).map(\.label).joined(separator: ", ")
      throw operands.failure(
        "X, Y and the residual must all be channels-last or none (or only X row-major): \(labels)")
    }
    if channelsLast.isEmpty { return .rowMajor }
    return x.isChannelsLast ? .channelsLast : .rowMajorToChannelsLast
  }

  /// The channels-last method for this geometry and the `WinogradReach` the weights were packed for (this
  /// machine's when they are stored unpacked), and the scratch it needs: shared, and per worker. Refuses
  /// what `ConvMethod.supportsChannelsLast` does not accept (the compiler never asks for it).
  static func chooseChannelsLastMethod(
    weights: PlanBuffer, allowsWinograd: Bool, axes: WindowAxes, groups: Int, channelsPerGroup: Int,
    outputChannelsPerGroup: Int,
    batch: Int, _ operands: StepOperands
  ) throws(RuntimeError) -> (Method, shared: Int, perWorker: Int) {
    let site = operands.site
    let shape = ConvShape(
      input: axes.input, output: axes.output, kernel: axes.kernel, strides: axes.strides, dilations: axes.dilations,
      padsBegin: axes.padsBegin, padsEnd: axes.padsEnd, groups: groups, channelsPerGroup: channelsPerGroup,
      outputChannelsPerGroup: outputChannelsPerGroup, allowsWinograd: allowsWinograd)
    guard ConvMethod.supportsChannelsLast(shape, weightsAreConstant: weights.isConstant) else {
      throw operands.failure(
        "is channels-last, which needs constant weights, a 1-D or 2-D window and, for one input channel per group, "
          + "one output channel per group")
    }
    // The reach the plan's weights were packed for, so that they are used in place and the method is the
    // compiler's on any machine.
    let reach = WinogradReach.followingPlan(weights.packing) ?? MachineTuning.winogradReach
    let kind = ConvMethod.chooseChannelsLast(shape, reach: reach)
    let layout = kind.weightLayout(shape, widths: .runtime, recorded: weights.packing)
    switch kind {
    case .channelsLastDepthwise:
      try operands.requireUnpacked(weights, "W")
      guard let source = operands.constantFloats(weights),
        let depthwise = try ChannelsLastDepthwise(
          weights: source, axes: axes, channels: groups, multiplier: outputChannelsPerGroup, site: site)
      else { throw operands.failure("the channels-last depthwise method needs constant weights, one per channel") }
      return (.channelsLast(.depthwise(depthwise)), 0, try depthwise.scratchBytes(site: site))
    case .channelsLastWinograd:
      guard let layout, let transformed = try operands.winogradWeights(of: weights, layout: layout) else {
        throw operands.failure("the channels-last Winograd method needs constant weights")
      }
      let winograd = try ChannelsLastWinograd(weights: transformed, axes: axes)
      return (
        .channelsLast(.winograd(winograd)), try winograd.sharedScratchBytes(batch: batch, site: site),
        try winograd.scratchBytes(site: site)
      )
    case .channelsLastGemm:
      guard let layout, let packed = try operands.panels(of: weights, layout: layout) else {
        throw operands.failure("the channels-last GEMM method needs constant weights")
      }
      let gemm = try ChannelsLastConvolution(
        weights: packed, axes: axes, groups: groups, channelsPerGroup: channelsPerGroup,
        outputChannelsPerGroup: outputChannelsPerGroup)
      return (.channelsLast(.gemm(gemm)), gemm.sharedScratchBytes, try gemm.scratchBytesPerWorker(site: site))
    case .depthwise, .fewPositions, .winograd, .grid, .direct, .pointwise, .subsampled, .im2col, .channelsLastGrid,
      .channelsLastPointwise:
      throw operands.failure("the \(kind) method does not read channels-last operands")
    }
  }

  /// The method of a step that reads X row-major and writes Y channels-last
  /// (`ConvMethod.chooseRowMajorToChannelsLast`) and the scratch it needs: shared, and per worker. Refuses
  /// any geometry that function has no method for.
  static func chooseRowMajorToChannelsLastMethod(
    weights: PlanBuffer, allowsWinograd: Bool, axes: WindowAxes, groups: Int, channelsPerGroup: Int,
    outputChannelsPerGroup: Int,
    _ operands: StepOperands
  ) throws(RuntimeError) -> (Method, shared: Int, perWorker: Int) {
    let site = operands.site
    let shape = ConvShape(
      input: axes.input, output: axes.output, kernel: axes.kernel, strides: axes.strides, dilations: axes.dilations,
      padsBegin: axes.padsBegin, padsEnd: axes.padsEnd, groups: groups, channelsPerGroup: channelsPerGroup,
      outputChannelsPerGroup: outputChannelsPerGroup, allowsWinograd: allowsWinograd)
    let kind = ConvMethod.chooseRowMajorToChannelsLast(shape, weightsAreConstant: weights.isConstant)
    if let kind, let layout = kind.weightLayout(shape, widths: .runtime),
      let packed = try operands.panels(of: weights, layout: layout)?.first
    {
      switch kind {
      case .channelsLastGrid:
        if let grid = ChannelsLastGridConvolution(
          weights: packed, input: try PaddedInput(axes, site: site), channels: channelsPerGroup,
          outputChannels: outputChannelsPerGroup)
        {
          return (.channelsLast(.grid(grid)), try grid.sharedScratchBytes(site: site), 0)
        }
      case .channelsLastPointwise:
        let pointwise = try ChannelsLastPointwise(
          weights: packed, channels: channelsPerGroup, outputChannels: outputChannelsPerGroup, plane: axes.inputPlane)
        return (.channelsLast(.pointwise(pointwise)), 0, ChannelsLastPointwise.scratchBytesPerWorker)
      default:
        break
      }
    }
    throw operands.failure(
      "reads X row-major and writes Y channels-last, which only a convolution of one group with constant weights "
        + "can, and only as a 2-D window at stride 1 or 2 without dilation over at most "
        + "\(ConvMethod.gridMaximumDepth) input channels x taps (an image stem) or a 1x1 window at stride 1 "
        + "without padding over at least 2 channels")
  }

  func runChannelsLast(_ context: RunContext, _ method: ChannelsLastMethod) {
    let input = UnsafePointer(context.floats(x))
    let output = context.floats(y)
    let biasBase = bias.map { UnsafePointer(context.floats($0)) }
    let residualBase = residualOperand(context)
    switch method {
    case .depthwise(let depthwise):
      let workers = context.workers(work: depthwise.work(batch: batch), tasks: depthwise.rows(batch: batch))
      depthwise.run(
        context,
        ChannelsLastDepthwise.Operands(
          input: input, output: output, bias: biasBase, residual: residualBase, activation: activation),
        batch: batch, workers: workers)
    case .winograd(let winograd):
      let workers = context.workers(work: RunContext.work(y.count, depth), tasks: y.count / max(batch, 1))
      winograd.run(
        context,
        ChannelsLastWinograd.Operands(
          input: input, output: output, bias: biasBase, residual: residualBase, activation: activation, batch: batch,
          sharedTransformed: methodScratchBytes > 0
            ? context.sharedScratch.bindMemory(to: Float.self, capacity: methodScratchBytes / 4) : nil),
        workers: workers)
    case .grid(let grid):
      runRowMajorToChannelsLast(context, grid, bias: biasBase, residual: residualBase)
    case .pointwise(let pointwise):
      let workers = context.workers(work: RunContext.work(y.count, depth), tasks: y.count / max(batch, 1))
      pointwise.run(
        context,
        ChannelsLastPointwise.Operands(
          input: input, output: output, bias: biasBase, residual: residualBase, activation: activation,
          prologue: prologue?.transform(context), batch: batch),
        workers: workers)
    case .gemm(let gemm):
      let workers = context.workers(work: RunContext.work(y.count, depth), tasks: y.count / max(batch, 1))
      gemm.run(
        context,
        ChannelsLastConvolution.Operands(
          input: input, output: output, bias: biasBase, residual: residualBase, activation: activation, batch: batch),
        workers: workers)
    }
  }

  private func runRowMajorToChannelsLast(
    _ context: RunContext, _ grid: ChannelsLastGridConvolution, bias: UnsafePointer<Float>?,
    residual: UnsafePointer<Float>?
  ) {
    let input = UnsafePointer(context.floats(x))
    let output = context.floats(y)
    let imageInput = channelsPerGroup * axes.inputPlane
    let imageOutput = outputChannelsPerGroup * axes.outputPlane
    let workers = context.workers(work: RunContext.work(y.count, depth), tasks: y.count / max(batch, 1))
    for image in 0..<batch {
      grid.run(
        context,
        ChannelsLastGridConvolution.ImageOperands(
          input: input + image * imageInput, output: output + image * imageOutput, bias: bias,
          residual: residual.map { $0 + image * imageOutput }, activation: activation),
        workers: workers)
    }
  }
}
