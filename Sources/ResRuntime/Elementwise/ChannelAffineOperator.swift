import ResKernels
import ResPlan

/// `f32_channel_affine`: `y = act(x·scale[c] + shift[c] + residual)` along `axis` (inference BatchNormalization
/// with scale and shift folded by the compiler, or the IR's ScaleShift with its epilogue). Each (outer index,
/// channel) pair is one contiguous run for the scale–shift microkernel, which adds the residual and applies
/// the activation in the same pass; runs are split over workers. Where the channels are the innermost axis, each
/// position's row of channels is one run against the scale and shift vectors instead: channels-last (a
/// ScaleShift inside a channels-last region: RepVGG's identity branch, a pre-activation block's BatchNorm), or
/// row-major with nothing after the channel axis (LeViT's BatchNorm1d over the `[tokens, C]` rows of its
/// linear layers, where runs of one element took 0.79 ms for a 196 × 640 matrix).
struct ChannelAffineOperator: Operator {
  let x: PlanBuffer
  let scale: PlanBuffer
  let shift: PlanBuffer
  let residual: PlanBuffer?
  let y: PlanBuffer
  let activation: PointwiseFunction
  let channels: Int
  /// Elements per run (the product of the axes after `axis`) and runs (outer × channels).
  let inner: Int
  let runs: Int
  /// X, Y and the residual channels-last (`[N, positions, C]`, channel axis 1).
  let readsChannelsLast: Bool
  /// Whether the channels are the innermost axis (channels-last, or `inner == 1`): rows of channels instead
  /// of runs of one channel.
  var channelsAreInnermost: Bool { readsChannelsLast || inner == 1 }

  init(_ params: Rescompile_Plan_ChannelAffineParams, _ operands: StepOperands) throws(RuntimeError) {
    let epilogue = try FusedEpilogue(params.epilogue, operands)
    guard !epilogue.hasBias else {
      throw operands.failure("the epilogue has a bias, but the shift is this kernel's bias")
    }
    let inputs = epilogue.inputCount(fixed: 3)
    try operands.requireCounts(inputs: inputs...inputs, outputs: 1...1)
    x = try operands.input(0, "X", .f32)
    scale = try operands.input(1, "scale", .f32)
    shift = try operands.input(2, "shift", .f32)
    residual = epilogue.hasResidual ? try operands.input(3, "residual", .f32) : nil
    y = try operands.output(0, "Y", .f32)
    activation = epilogue.activation
    guard params.axis >= 0, params.axis < Int64(x.rank) else {
      throw operands.failure("axis \(params.axis) is out of range for X \(ShapeText.of(x.shape))")
    }
    let axis = Int(params.axis)
    channels = x.shape[axis]
    try operands.requireShape(scale, "scale", [channels])
    try operands.requireShape(shift, "shift", [channels])
    if let residual { try operands.requireShape(residual, "residual", x.shape) }
    try operands.requireShape(y, "Y", x.shape)
    inner = x.count == 0 ? 0 : x.shape[(axis + 1)...].reduce(1, *)
    runs = x.count == 0 ? 0 : x.shape[...axis].reduce(1, *)
    let layouts = [x, y] + (residual.map { [$0] } ?? [])
    readsChannelsLast = x.isChannelsLast
    guard layouts.allSatisfy({ $0.isChannelsLast == readsChannelsLast }) else {
      throw operands.failure("X, Y and the residual must all be channels-last or all row-major")
    }
    guard !readsChannelsLast || axis == 1 else {
      throw operands.failure("is channels-last, where only the channel axis 1 can be scaled, not axis \(axis)")
    }
  }

  func run(_ context: RunContext) {
    if channelsAreInnermost {
      runRowsOfChannels(context)
      return
    }
    let input = UnsafePointer(context.floats(x))
    let output = context.floats(y)
    let scales = UnsafePointer(context.floats(scale))
    let shifts = UnsafePointer(context.floats(shift))
    let skip = residual.map { UnsafePointer(context.floats($0)) }
    let workers = context.workers(elements: x.count, tasks: runs)
    let ranges = RunContext.ranges(of: runs, parts: RunContext.streamingPieces(workers: workers), granule: 1)
    context.parallelFor(tasks: ranges.count, workers: workers) { task, _ in
      for run in ranges[task] {
        let channel = run % channels
        let start = run * inner
        ScaleShiftMicrokernel.run(
          input + start, output + start, count: inner, scale: scales[channel], shift: shifts[channel],
          residual: skip.map { $0 + start }, activation: activation)
      }
    }
  }

  /// Channels innermost: each position's channels against the scale and shift vectors, positions split over
  /// the workers (the same arithmetic per element as the runs of one channel).
  private func runRowsOfChannels(_ context: RunContext) {
    let input = UnsafePointer(context.floats(x))
    let output = context.floats(y)
    let scales = UnsafePointer(context.floats(scale))
    let shifts = UnsafePointer(context.floats(shift))
    let skip = residual.map { UnsafePointer(context.floats($0)) }
    let positions = channels == 0 ? 0 : x.count / channels
    let workers = context.workers(elements: x.count, tasks: positions)
    let ranges = RunContext.ranges(of: positions, parts: RunContext.streamingPieces(workers: workers), granule: 1)
    context.parallelFor(tasks: ranges.count, workers: workers) { task, _ in
      let first = ranges[task].lowerBound * channels
      ScaleShiftMicrokernel.runChannelsLast(
        input + first, output + first, positions: ranges[task].count, channels: channels, scale: scales,
        shift: shifts, residual: skip.map { $0 + first }, activation: activation)
    }
  }
}
