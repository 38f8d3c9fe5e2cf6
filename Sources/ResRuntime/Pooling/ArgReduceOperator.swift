import ResPlan

/// `f32_arg_reduce`: the i64 position along one axis of X's maximum or minimum, the first of equal ones
/// unless `select_last_index`; a NaN is the extreme (plan.proto `ArgReduceParams`, the reference evaluator's
/// `ArgReduce`).
struct ArgReduceOperator: Operator {
  let x: PlanBuffer
  let y: PlanBuffer
  let params: Rescompile_Plan_ArgReduceParams
  let outer: Int
  let axisSize: Int
  let inner: Int

  init(_ params: Rescompile_Plan_ArgReduceParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 1...1, outputs: 1...1)
    x = try operands.input(0, "X", .f32)
    y = try operands.output(0, "Y", .i64)
    self.params = params
    guard params.axis >= 0, params.axis < Int64(x.rank) else {
      throw operands.failure("axis \(params.axis) is out of range for X \(ShapeText.of(x.shape))")
    }
    let axis = Int(params.axis)
    guard x.shape[axis] > 0 else { throw operands.failure("axis \(axis) of X \(ShapeText.of(x.shape)) is empty") }
    var kept = x.shape
    kept[axis] = 1
    var dropped = x.shape
    dropped.remove(at: axis)
    guard y.shape == kept || y.shape == dropped else {
      throw operands.failure(
        "Y has shape \(ShapeText.of(y.shape)), expected \(ShapeText.of(kept)) or \(ShapeText.of(dropped))")
    }
    outer = x.shape[..<axis].reduce(1, *)
    axisSize = x.shape[axis]
    inner = x.shape[(axis + 1)...].reduce(1, *)
  }

  func run(_ context: RunContext) {
    let input = UnsafePointer(context.floats(x))
    let output = context.raw(y).assumingMemoryBound(to: Int64.self)
    for block in 0..<outer {
      for lane in 0..<inner {
        let base = input + block * axisSize * inner + lane
        var best = 0
        for position in 1..<axisSize where replaces(base[position * inner], base[best * inner]) {
          best = position
        }
        output[block * inner + lane] = Int64(best)
      }
    }
  }

  @inline(__always)
  private func replaces(_ candidate: Float, _ current: Float) -> Bool {
    if current.isNaN { return candidate.isNaN && params.selectLastIndex }
    if candidate.isNaN { return true }
    if candidate == current { return params.selectLastIndex }
    return params.max ? candidate > current : candidate < current
  }
}
