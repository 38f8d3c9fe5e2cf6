import ResPlan

/// `f32_reduce_mean`: the mean over `axes` (empty: every axis), accumulated in double precision; and
/// `f32_reduce_sum`, `_max`, `_min`, `_prod`, the same groups combined otherwise (in double precision too, so
/// each result is rounded once, as the reference evaluator rounds it; a NaN makes a maximum or minimum NaN).
/// Y may keep the reduced axes as size 1 or drop them; the element order is the same either way.
struct ReduceMeanOperator: Operator {
  let x: PlanBuffer
  let y: PlanBuffer
  /// The kept axes walk the output (lane 3) and the input (lane 0); the reduced axes walk the input.
  let kept: StridedWalk
  let reduced: StridedWalk
  let reduction: Reduction
  /// What each combined group is divided by: the reduced count for a mean, else 1.
  let divisor: Double

  enum Reduction {
    case mean, sum, max, min, prod

    /// The value of an empty group, and where every group starts.
    var identity: Double {
      switch self {
      case .mean, .sum: 0
      case .max: -.infinity
      case .min: .infinity
      case .prod: 1
      }
    }

    @inline(__always)
    func combine(_ total: Double, _ value: Double) -> Double {
      switch self {
      case .mean, .sum: total + value
      case .max: total.isNaN || value.isNaN ? .nan : Swift.max(total, value)
      case .min: total.isNaN || value.isNaN ? .nan : Swift.min(total, value)
      case .prod: total * value
      }
    }
  }

  init(_ params: Rescompile_Plan_ReduceMeanParams, _ operands: StepOperands, reduction: Reduction)
    throws(RuntimeError)
  {
    self.reduction = reduction
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
    divisor = reduction == .mean ? Double(y.count == 0 ? 0 : x.count / y.count) : 1
  }

  func run(_ context: RunContext) {
    let input = UnsafePointer(context.floats(x))
    let output = context.floats(y)
    let workers = context.workers(elements: x.count, tasks: kept.rowCount)
    let ranges = RunContext.ranges(of: kept.rowCount, parts: RunContext.streamingPieces(workers: workers), granule: 1)
    let reducesContiguously = reduced.rowLength > 1 && reduced.rowStrides[0] == 1
    context.parallelFor(tasks: ranges.count, workers: workers) { task, _ in
      kept.forEachRow(in: ranges[task]) { offsets in
        if reducesContiguously {
          reduceElementByElement(input, output, offsets)
        } else {
          reduceRowAtOnce(input, output, offsets)
        }
      }
    }
  }

  /// One output row, each element's group walked in turn: for groups contiguous in X (a reduction over the
  /// last axis).
  @inline(__always)
  private func reduceElementByElement(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ offsets: SIMD4<Int>) {
    for element in 0..<kept.rowLength {
      let base = input + offsets[0] + element * kept.rowStrides[0]
      var total = reduction.identity
      // One run of the group (a mean over H and W): read in place, without the walk's per-call setup, which
      // cost more than the sums of a squeeze-and-excitation mean over 3x3 positions.
      if reduced.rowCount == 1 {
        for k in 0..<reduced.rowLength { total = reduction.combine(total, Double(base[k])) }
        output[offsets[3] + element * kept.rowStrides[3]] = Float(total / divisor)
        continue
      }
      reduced.forEachRow(in: 0..<reduced.rowCount) { inner in
        for k in 0..<reduced.rowLength {
          total = reduction.combine(total, Double(base[inner[0] + k * reduced.rowStrides[0]]))
        }
      }
      output[offsets[3] + element * kept.rowStrides[3]] = Float(total / divisor)
    }
  }

  /// One output row at once: the reduced offsets walked once, each adding to the whole row's totals (in
  /// Double, per element in the same order as `reduceElementByElement`, so the same bits). A reduction over
  /// an outer axis (ResNeSt's split attention sums its radix axis of `[1, 2, C, H, W]`) walked the reduced
  /// axes once per output element: 2.9 ms for 32 K sums of two.
  @inline(__always)
  private func reduceRowAtOnce(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ offsets: SIMD4<Int>) {
    let length = kept.rowLength
    let stride = kept.rowStrides[0]
    withUnsafeTemporaryAllocation(of: Double.self, capacity: length) { totals in
      totals.initialize(repeating: reduction.identity)
      let row = input + offsets[0]
      reduced.forEachRow(in: 0..<reduced.rowCount) { inner in
        for k in 0..<reduced.rowLength {
          let source = row + inner[0] + k * reduced.rowStrides[0]
          for element in 0..<length {
            totals[element] = reduction.combine(totals[element], Double(source[element * stride]))
          }
        }
      }
      for element in 0..<length {
        output[offsets[3] + element * kept.rowStrides[3]] = Float(totals[element] / divisor)
      }
    }
  }
}
