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

  /// Output elements of a row one task of `reduceRowAtOnce` takes: its totals (32 KB of doubles) stay in the
  /// first-level cache, and a long row (ResNeSt's `[1, 2, C, H, W]` sums are one row of C·H·W) is split
  /// across workers.
  static let rowPiece = 4096

  func run(_ context: RunContext) {
    let input = UnsafePointer(context.floats(x))
    let output = context.floats(y)
    if reduced.rowLength > 1 && reduced.rowStrides[0] == 1 {
      let workers = context.workers(elements: x.count, tasks: kept.rowCount)
      let ranges = RunContext.ranges(
        of: kept.rowCount, parts: RunContext.streamingPieces(workers: workers), granule: 1)
      context.parallelFor(tasks: ranges.count, workers: workers) { task, _ in
        kept.forEachRow(in: ranges[task]) { offsets in reduceElementByElement(input, output, offsets) }
      }
      return
    }
    let piecesPerRow = (kept.rowLength + Self.rowPiece - 1) / Self.rowPiece
    let tasks = kept.rowCount * piecesPerRow
    let workers = context.workers(elements: x.count, tasks: tasks)
    context.parallelFor(tasks: tasks, workers: workers) { task, _ in
      let (row, piece) = task.quotientAndRemainder(dividingBy: piecesPerRow)
      let elements = (piece * Self.rowPiece)..<min((piece + 1) * Self.rowPiece, kept.rowLength)
      kept.forEachRow(in: row..<(row + 1)) { offsets in reduceRowAtOnce(input, output, offsets, elements) }
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

  /// Elements `elements` of one output row at once: the reduced offsets walked once, each adding to the
  /// row's totals (in Double, per element in the same order as `reduceElementByElement`, so the same bits).
  /// A reduction over an outer axis (ResNeSt's split attention sums its radix axis of `[1, 2, C, H, W]`)
  /// walked the reduced axes once per output element: 2.9 ms for 32 K sums of two. A sum or mean over
  /// contiguous rows is a loop of its own, which vectorizes: the combining one took 0.12 ms for those sums.
  @inline(__always)
  private func reduceRowAtOnce(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ offsets: SIMD4<Int>,
    _ elements: Range<Int>
  ) {
    let length = elements.count
    let stride = kept.rowStrides[0]
    let sumsContiguousRows = stride == 1 && (reduction == .sum || reduction == .mean)
    withUnsafeTemporaryAllocation(of: Double.self, capacity: length) { totals in
      totals.initialize(repeating: reduction.identity)
      let row = input + offsets[0] + elements.lowerBound * stride
      reduced.forEachRow(in: 0..<reduced.rowCount) { inner in
        for k in 0..<reduced.rowLength {
          let source = row + inner[0] + k * reduced.rowStrides[0]
          if sumsContiguousRows {
            for element in 0..<length { totals[element] += Double(source[element]) }
          } else {
            for element in 0..<length {
              totals[element] = reduction.combine(totals[element], Double(source[element * stride]))
            }
          }
        }
      }
      let target = output + offsets[3] + elements.lowerBound * kept.rowStrides[3]
      // Contiguous, the loops vectorize; a scalar division per element took most of a sum's time.
      if kept.rowStrides[3] == 1, divisor == 1 {
        for element in 0..<length { target[element] = Float(totals[element]) }
      } else if kept.rowStrides[3] == 1 {
        for element in 0..<length { target[element] = Float(totals[element] / divisor) }
      } else {
        for element in 0..<length { target[element * kept.rowStrides[3]] = Float(totals[element] / divisor) }
      }
    }
  }
}
