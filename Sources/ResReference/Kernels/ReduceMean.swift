import ResIR

/// ONNX ReduceMean over `axes` (every axis when nil; an empty list reduces nothing), keeping reduced axes as 1
/// when `keepDims`. Float means are exact sums in `Double` divided once; integer means truncate toward zero,
/// as onnxruntime's integer kernels and numpy's `mean(...).astype(int)` do. ReduceSum is the same sums, not
/// divided (`dividing: false`; integer sums wrap).
enum ReduceMean {
  static func evaluate(_ operands: NodeOperands, axes: [Int]?, keepDims: Bool, dividing: Bool = true)
    throws(EvaluationFailure) -> ReferenceTensor
  {
    let x = try operands.required(0, "data")
    guard x.dtype != .bool else { throw EvaluationFailure("data must be numeric, not bool") }
    let reduced =
      try axes.map { list throws(EvaluationFailure) in
        try ShapeArithmetic.distinctAxes(list, rank: x.rank)
      } ?? Array(0..<x.rank)
    // Each element's output position: its index with the reduced axes dropped.
    let keptShape = x.shape.enumerated().map { reduced.contains($0.offset) ? 1 : $0.element }
    let keptStrides = ShapeArithmetic.strides(keptShape)
    let target = StridedView(
      shape: x.shape, strides: keptStrides.enumerated().map { reduced.contains($0.offset) ? 0 : $0.element }
    ).sourceIndices()
    let outputCount = keptShape.reduce(1, *)
    let groupSize = reduced.reduce(1) { $0 * x.shape[$1] }
    let outputShape = keepDims ? keptShape : x.shape.enumerated().filter { !reduced.contains($0.offset) }.map(\.element)
    switch x.storage {
    case .floating(let values):
      var sums = [Double](repeating: 0, count: outputCount)
      for (i, value) in values.enumerated() { sums[target[i]] += value }
      let results = dividing ? sums.map { $0 / Double(groupSize) } : sums
      return ReferenceTensor(dtype: x.dtype, shape: outputShape, doubles: results)
    case .integral(let values):
      var sums = [Int64](repeating: 0, count: outputCount)
      for (i, value) in values.enumerated() { sums[target[i]] &+= value }
      guard dividing else { return ReferenceTensor(dtype: x.dtype, shape: outputShape, integers: sums) }
      guard groupSize > 0 else { throw EvaluationFailure("the integer mean of an empty set is undefined") }
      return ReferenceTensor(dtype: x.dtype, shape: outputShape, integers: sums.map { $0 / Int64(groupSize) })
    }
  }
}
