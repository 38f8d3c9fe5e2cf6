import ResKernels
import ResPlan

/// `f32_channel_affine`: `y = x·scale[c] + shift[c]` along `axis` (inference BatchNormalization with scale
/// and shift folded by the compiler). Each (outer index, channel) pair is one contiguous run for the
/// scale–shift microkernel; runs are split over workers.
struct ChannelAffineOperator: Operator {
  let x: PlanBuffer
  let scale: PlanBuffer
  let shift: PlanBuffer
  let y: PlanBuffer
  let channels: Int
  /// Elements per run (the product of the axes after `axis`) and runs (outer × channels).
  let inner: Int
  let runs: Int

  init(_ params: Rescompile_Plan_ChannelAffineParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 3...3, outputs: 1...1)
    x = try operands.input(0, "X", .f32)
    scale = try operands.input(1, "scale", .f32)
    shift = try operands.input(2, "shift", .f32)
    y = try operands.output(0, "Y", .f32)
    guard params.axis >= 0, params.axis < Int64(x.rank) else {
      throw operands.failure("axis \(params.axis) is out of range for X \(ShapeText.of(x.shape))")
    }
    let axis = Int(params.axis)
    channels = x.shape[axis]
    try operands.requireShape(scale, "scale", [channels])
    try operands.requireShape(shift, "shift", [channels])
    try operands.requireShape(y, "Y", x.shape)
    inner = x.count == 0 ? 0 : x.shape[(axis + 1)...].reduce(1, *)
    runs = x.count == 0 ? 0 : x.shape[...axis].reduce(1, *)
  }

  func run(_ context: RunContext) {
    let input = UnsafePointer(context.floats(x))
    let output = context.floats(y)
    let scales = UnsafePointer(context.floats(scale))
    let shifts = UnsafePointer(context.floats(shift))
    let workers = context.workers(work: x.count, tasks: runs)
    let ranges = RunContext.ranges(of: runs, parts: workers, granule: 1)
    context.parallelFor(tasks: ranges.count, workers: workers) { task, _ in
      for run in ranges[task] {
        let channel = run % channels
        ScaleShiftMicrokernel.run(
          input + run * inner, output + run * inner, count: inner, scale: scales[channel], shift: shifts[channel])
      }
    }
  }
}
