import ResPlan

/// `f32_reduce_mean`: the mean over `axes` (empty: every axis), accumulated in double precision; and
/// `f32_reduce_sum`, the same sums not divided. Y may keep the reduced axes as size 1 or drop them; the element
/// order is the same either way.
struct ReduceMeanOperator: Operator {
  let x: PlanBuffer
  let y: PlanBuffer
  /// The kept axes walk the output (lane 3) and the input (lane 0); the reduced axes walk the input.
  let kept: StridedWalk
  let reduced: StridedWalk
  /// What each sum is divided by: the reduced count for a mean, 1 for a sum.
  let divisor: Double

  init(_ params: Rescompile_Plan_ReduceMeanParams, _ operands: StepOperands, dividing: Bool) throws(RuntimeError) {
    try operands.requireCounts(inputs: 1...1, outputs: 1...1)
    let x = try operands.input(0, "X", .f32)
    let y = try operands.output(0, "Y", .f32)
    (self.x, self.y) = (x, y)
    let rank = x.rank
    var isReduced = [Bool](repeating: params.axes.isEmpty, count: rank)
    for axis in params.axes {
      guard axis >= -Int64(rank), axis < Int64(rank) else {
        throw operands.failure("axis \(axis) is out of range for X \(ShapeText.of(x.shape))")
      }
      let index = Int(axis < 0 ? axis + Int64(rank) : axis)
      guard !isReduced[index] else { throw operands.failure("axis \(axis) is listed twice") }
      isReduced[index] = true
    }
    let keptShape = x.shape.indices.map { isReduced[$0] ? 1 : x.shape[$0] }
    let droppedShape = x.shape.indices.filter { !isReduced[$0] }.map { x.shape[$0] }
    guard y.shape == keptShape || y.shape == droppedShape else {
      throw operands.failure(
        "Y has shape \(ShapeText.of(y.shape)), expected \(ShapeText.of(keptShape)) or \(ShapeText.of(droppedShape))")
    }
    let inputStrides = Broadcast.contiguousStrides(x.shape)
    let outputStrides = Broadcast.contiguousStrides(keptShape)
    kept = StridedWalk(
      shape: keptShape,
      axisStrides: x.shape.indices.map { SIMD4<Int>(isReduced[$0] ? 0 : inputStrides[$0], 0, 0, outputStrides[$0]) })
    let reducedShape = x.shape.indices.map { isReduced[$0] ? x.shape[$0] : 1 }
    reduced = StridedWalk(shape: reducedShape, axisStrides: inputStrides.map { SIMD4<Int>($0, 0, 0, 0) })
    divisor = dividing ? Double(y.count == 0 ? 0 : x.count / y.count) : 1
  }

  func run(_ context: RunContext) {
    let input = UnsafePointer(context.floats(x))
    let output = context.floats(y)
    let workers = context.workers(elements: x.count, tasks: kept.rowCount)
    let ranges = RunContext.ranges(of: kept.rowCount, parts: RunContext.streamingPieces(workers: workers), granule: 1)
    context.parallelFor(tasks: ranges.count, workers: workers) { task, _ in
      kept.forEachRow(in: ranges[task]) { offsets in
        for element in 0..<kept.rowLength {
          let base = input + offsets[0] + element * kept.rowStrides[0]
          var sum = 0.0
          reduced.forEachRow(in: 0..<reduced.rowCount) { inner in
            for k in 0..<reduced.rowLength { sum += Double(base[inner[0] + k * reduced.rowStrides[0]]) }
          }
          output[offsets[3] + element * kept.rowStrides[3]] = Float(sum / divisor)
        }
      }
    }
  }
}
