import ResKernels
import ResPlan

#if canImport(Darwin)
  import Darwin
#elseif canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// `f32_softmax`: `y = exp(x − max) / Σ exp(x − max)` over `axis`, or with `coerced_2d` over every axis from
/// `axis` on (the opset < 13 meaning). Each softmax is a strided row: `length` elements `inner` apart; rows
/// are split over workers. Contiguous rows (`inner == 1`, the attention case) run the vector
/// `SoftmaxMicrokernel`, four rows at a time; strided rows the scalar loop.
struct SoftmaxOperator: Operator {
  let x: PlanBuffer
  let y: PlanBuffer
  let outer: Int
  let length: Int
  let inner: Int

  init(_ params: Rescompile_Plan_SoftmaxParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 1...1, outputs: 1...1)
    x = try operands.input(0, "X", .f32)
    y = try operands.output(0, "Y", .f32)
    try operands.requireShape(y, "Y", x.shape)
    let rank = Int64(x.rank)
    guard params.axis >= -rank, params.axis < rank else {
      throw operands.failure("axis \(params.axis) is out of range for X \(ShapeText.of(x.shape))")
    }
    let axis = Int(params.axis < 0 ? params.axis + rank : params.axis)
    if x.count == 0 {
      (outer, length, inner) = (0, 0, 0)
    } else if params.coerced2D {
      (outer, length, inner) = (x.shape[..<axis].reduce(1, *), x.shape[axis...].reduce(1, *), 1)
    } else {
      (outer, length, inner) = (x.shape[..<axis].reduce(1, *), x.shape[axis], x.shape[(axis + 1)...].reduce(1, *))
    }
  }

  func run(_ context: RunContext) {
    let input = UnsafePointer(context.floats(x))
    let output = context.floats(y)
    let rows = outer * inner
    let workers = context.workers(elements: x.count, tasks: rows)
    // Contiguous rows are cut into whole groups of the kernel's four rows.
    let granule = inner == 1 ? SoftmaxMicrokernel.groupRows : 1
    let ranges = RunContext.ranges(of: rows, parts: RunContext.streamingPieces(workers: workers), granule: granule)
    context.parallelFor(tasks: ranges.count, workers: workers) { task, _ in
      let rows = ranges[task]
      if inner == 1 {
        let start = rows.lowerBound * length
        SoftmaxMicrokernel.run(input + start, output + start, count: length, rows: rows.count, stride: length)
        return
      }
      for row in rows {
        let start = (row / inner) * length * inner + row % inner
        stridedSoftmax(input + start, output + start)
      }
    }
  }

  /// One row of `length` elements `inner` apart, by scalar loops.
  private func stridedSoftmax(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
    var largest = -Float.infinity
    for k in 0..<length { largest = max(largest, input[k * inner]) }
    var sum: Float = 0
    for k in 0..<length {
      let e = expf(input[k * inner] - largest)
      output[k * inner] = e
      sum += e
    }
    let reciprocal = 1 / sum
    for k in 0..<length { output[k * inner] *= reciprocal }
  }
}
