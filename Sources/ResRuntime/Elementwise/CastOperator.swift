import ResPlan

/// `cast`: converts every element between any two element types with the rules of `ScalarValue.write`.
struct CastOperator: Operator {
  let x: PlanBuffer
  let y: PlanBuffer

  init(_: Rescompile_Plan_CastParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 1...1, outputs: 1...1)
    x = operands.inputs[0]
    y = operands.outputs[0]
    try operands.requireShape(y, "Y", x.shape)
  }

  func run(_ context: RunContext) {
    let input = UnsafeRawPointer(context.raw(x))
    let output = context.raw(y)
    let count = x.count
    let workers = context.workers(elements: count, tasks: count / 16)
    let ranges = RunContext.ranges(of: count, parts: RunContext.streamingPieces(workers: workers), granule: 16)
    let (from, to) = (x.elementType, y.elementType)
    context.parallelFor(tasks: ranges.count, workers: workers) { task, _ in
      for index in ranges[task] {
        ScalarValue.read(from, input, index).write(to, output, index)
      }
    }
  }
}
