import ResIR

/// ONNX Slice: along each listed axis, the elements `start, start+step, …` before `end`.
///
/// Negative starts and ends count from the end of the axis; then, exactly as ONNX specifies, a positive step
/// clamps both to `[0, dim]` and a negative step clamps the start to `[0, dim−1]` and the end to `[−1, dim−1]`.
/// So PyTorch's `Int64.max` ends, and `Int64.min` ends with negative steps, select to the end of the axis.
enum Slice {
  static func evaluate(_ operands: NodeOperands) throws(EvaluationFailure) -> ReferenceTensor {
    let data = try operands.required(0, "data")
    let starts = try operands.required(1, "starts").indexVector("starts")
    let ends = try operands.required(2, "ends").indexVector("ends")
    let axes = try operands.optional(3)?.indexVector("axes") ?? (0..<Int64(starts.count)).map { $0 }
    let steps = try operands.optional(4)?.indexVector("steps") ?? Array(repeating: 1, count: starts.count)
    guard ends.count == starts.count, axes.count == starts.count, steps.count == starts.count else {
      throw EvaluationFailure(
        "starts, ends, axes and steps have \(starts.count), \(ends.count), \(axes.count) and \(steps.count) values; "
          + "they must agree")
    }
    let normalizedAxes = try ShapeArithmetic.distinctAxes(axes.map { Int(clamping: $0) }, rank: data.rank)
    let strides = ShapeArithmetic.strides(data.shape)
    var view = StridedView(shape: data.shape, strides: strides)
    for (k, axis) in normalizedAxes.enumerated() {
      guard steps[k] != 0 else { throw EvaluationFailure("steps must not be 0") }
      let (first, count) = selection(start: starts[k], end: ends[k], step: steps[k], dim: data.shape[axis])
      view.offset += first * strides[axis]
      view.shape[axis] = count
      // With fewer than two elements the step is never taken (and a huge step would overflow the stride).
      view.strides[axis] = count < 2 ? 0 : strides[axis] * Int(steps[k])
    }
    return data.gathering(view.sourceIndices(), shape: view.shape)
  }

  /// The first selected index and the number of elements selected along an axis of size `dim`.
  static func selection(start: Int64, end: Int64, step: Int64, dim: Int) -> (first: Int, count: Int) {
    let size = Int64(dim)
    guard size > 0 else { return (0, 0) }
    var first = start < 0 ? start + size : start
    var last = end < 0 ? end + size : end
    let span: Int64
    if step > 0 {
      first = min(max(first, 0), size)
      last = min(max(last, 0), size)
      span = last - first
    } else {
      first = min(max(first, 0), size - 1)
      last = min(max(last, -1), size - 1)
      span = first - last
    }
    guard span > 0 else { return (Int(first), 0) }
    let magnitude = step.magnitude
    let count = (UInt64(span) + magnitude - 1) / magnitude
    return (Int(first), Int(count))
  }
}
