import ResKernels
import ResPlan

/// The channels-last side of `ConvOperator`: when X, Y and the residual are channels-last (plan.proto
/// `ActivationLayout`), the step runs one of `ConvMethod.chooseChannelsLast`'s methods, all with channels on
/// the vector lanes and the positions of a tile read in place: `ChannelsLastDepthwise`, `ChannelsLastWinograd`,
/// or `ChannelsLastConvolution` (GEMM rows of positions, direct or through a pointer table per tap).
extension ConvOperator {
  enum ChannelsLastMethod {
    case depthwise(ChannelsLastDepthwise)
    case winograd(ChannelsLastWinograd)
    case gemm(ChannelsLastConvolution)

    var label: String {
      switch self {
      case .depthwise: "channels-last depthwise"
      case .winograd(let winograd): "channels-last Winograd \(winograd.variant.label)"
      case .gemm(let gemm):
        switch gemm.strategy {
        case .gemm: "channels-last GEMM"
        case .packedTiles: "channels-last packed-tile GEMM"
        case .indirect: "channels-last indirect GEMM"
        }
      }
    }
  }

  /// Whether the step computes channels-last: X, Y and the residual all are, or none is.
  static func isChannelsLast(x: PlanBuffer, y: PlanBuffer, residual: PlanBuffer?, _ operands: StepOperands)
    throws(RuntimeError) -> Bool
  {
    let activations = [x, y] + (residual.map { [$0] } ?? [])
    let channelsLast = activations.filter(\.isChannelsLast)
    guard channelsLast.isEmpty || channelsLast.count == activations.count else {
      let labels = activations.map(\.label).joined(separator: ", ")
      throw operands.failure("X, Y and the residual must all be channels-last or none: \(labels)")
    }
    return !channelsLast.isEmpty
  }

  /// The channels-last method for this geometry and the scratch it needs: shared, and per worker. Refuses
  /// what `ConvMethod.supportsChannelsLast` does not accept (the compiler never asks for it).
  static func chooseChannelsLastMethod(
    weights: PlanBuffer, axes: WindowAxes, groups: Int, channelsPerGroup: Int, outputChannelsPerGroup: Int,
    batch: Int, _ operands: StepOperands
  ) throws(RuntimeError) -> (Method, shared: Int, perWorker: Int) {
    let site = operands.site
    let shape = ConvShape(
      input: axes.input, output: axes.output, kernel: axes.kernel, strides: axes.strides, dilations: axes.dilations,
      padsBegin: axes.padsBegin, padsEnd: axes.padsEnd, groups: groups, channelsPerGroup: channelsPerGroup,
      outputChannelsPerGroup: outputChannelsPerGroup)
    guard ConvMethod.supportsChannelsLast(shape, weightsAreConstant: weights.isConstant) else {
      throw operands.failure(
        "is channels-last, which needs constant weights, a 1-D or 2-D window and, for one input channel per group, "
          + "one output channel per group")
    }
    let kind = ConvMethod.chooseChannelsLast(shape)
    let layout = kind.weightLayout(shape, widths: .runtime)
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
    case .depthwise, .winograd, .grid, .direct, .pointwise, .subsampled, .im2col:
      throw operands.failure("the \(kind) method does not read channels-last operands")
    }
  }

  func runChannelsLast(_ context: RunContext, _ method: ChannelsLastMethod) {
    let input = UnsafePointer(context.floats(x))
    let output = context.floats(y)
    let biasBase = bias.map { UnsafePointer(context.floats($0)) }
    let residualBase = residual.map { UnsafePointer(context.floats($0)) }
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
          sharedTransformed: sharedScratchBytes > 0
            ? context.sharedScratch.bindMemory(to: Float.self, capacity: sharedScratchBytes / 4) : nil),
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
}
