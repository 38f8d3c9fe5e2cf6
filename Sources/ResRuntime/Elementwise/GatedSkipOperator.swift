import ResKernels
import ResPlan

/// `f32_gated_skip`: `Y = T·H + (1 − T)·X` with numpy broadcasting of all three to Y's shape (a Highway
/// network's gated skip). Rows of the broadcast walk go to the gated-skip microkernel, each operand read as a
/// contiguous run or as one repeated value; large outputs are split over workers by the walk.
struct GatedSkipOperator: Operator {
  let gate: PlanBuffer
  let transformed: PlanBuffer
  let skipped: PlanBuffer
  let y: PlanBuffer
  let layout: StridedWalk

  init(_: Rescompile_Plan_GatedSkipParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 3...3, outputs: 1...1)
    gate = try operands.input(0, "T", .f32)
    transformed = try operands.input(1, "H", .f32)
    skipped = try operands.input(2, "X", .f32)
    y = try operands.output(0, "Y", .f32)
    let shapes = [gate.shape, transformed.shape, skipped.shape]
    guard let shape = Broadcast.shape(shapes) else {
      throw operands.failure(
        "T \(ShapeText.of(gate.shape)), H \(ShapeText.of(transformed.shape)) and X \(ShapeText.of(skipped.shape)) "
          + "do not broadcast")
    }
    try operands.requireShape(y, "Y", shape)
    layout = StridedWalk(
      broadcastingTo: shape, operandStrides: shapes.map { Broadcast.strides(of: $0, into: shape) ?? [] })
  }

  func run(_ context: RunContext) {
    let gates = UnsafePointer(context.floats(gate))
    let transforms = UnsafePointer(context.floats(transformed))
    let skips = UnsafePointer(context.floats(skipped))
    let output = context.floats(y)
    let strides = layout.rowStrides
    let pattern = GatedSkipPattern(
      gate: strides[0] == 0 ? .scalar : .vector, transformed: strides[1] == 0 ? .scalar : .vector,
      skipped: strides[2] == 0 ? .scalar : .vector)
    layout.run(context, elements: y.count) { offsets, columns in
      let start = columns.lowerBound
      GatedSkipMicrokernel.run(
        pattern, gates + offsets[0] + start * strides[0], transforms + offsets[1] + start * strides[1],
        skips + offsets[2] + start * strides[2], output + offsets[3] + start, count: columns.count)
    }
  }
}
