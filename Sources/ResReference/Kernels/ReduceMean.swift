import ResIR

/// ONNX ReduceMean over `axes` (every axis when nil; an empty list reduces nothing), keeping reduced axes as 1
/// when `keepDims`. Float means are exact sums in `Double` divided once; integer means truncate toward zero,
/// as onnxruntime's integer kernels and numpy's `mean(...).astype(int)` do. ReduceSum, ReduceMax, ReduceMin
/// and ReduceProd (`kind`) combine the same groups without dividing: sums and products wrap for integers and
/// are exact in Double for floats (rounded once); an empty group gives 0, −∞, +∞ or 1 (ONNX's identities; for
/// integers the type's extremes); a NaN makes a float maximum or minimum NaN.
enum ReduceMean {
  static func evaluate(_ operands: NodeOperands, axes: [Int]?, keepDims: Bool, kind: ReduceKind? = nil)
    throws(EvaluationFailure) -> ReferenceTensor
  {
    let x = try operands.required(0, "data")
    // Bool is 0/1: its maximum is "any" and its minimum "all"; the other reductions need numbers.
    guard x.dtype != .bool || kind == .max || kind == .min else {
      throw EvaluationFailure("data must be numeric, not bool")
    }
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
      var results = [Double](repeating: floatIdentity(kind), count: outputCount)
      for (i, value) in values.enumerated() { results[target[i]] = combine(kind, results[target[i]], value) }
      if kind == nil { results = results.map { $0 / Double(groupSize) } }
      return ReferenceTensor(dtype: x.dtype, shape: outputShape, doubles: results)
    case .integral(let values):
      let range = ElementConversion.integerRange(x.dtype)
      var results = [Int64](repeating: integerIdentity(kind, range), count: outputCount)
      for (i, value) in values.enumerated() { results[target[i]] = combine(kind, results[target[i]], value) }
      guard kind == nil else { return ReferenceTensor(dtype: x.dtype, shape: outputShape, integers: results) }
      guard groupSize > 0 else { throw EvaluationFailure("the integer mean of an empty set is undefined") }
      return ReferenceTensor(dtype: x.dtype, shape: outputShape, integers: results.map { $0 / Int64(groupSize) })
    }
  }

  /// The value of an empty group (a mean starts from a sum).
  private static func floatIdentity(_ kind: ReduceKind?) -> Double {
    switch kind {
    case nil, .sum: 0
    case .max: -.infinity
    case .min: .infinity
    case .prod: 1
    }
  }

  private static func integerIdentity(_ kind: ReduceKind?, _ range: ClosedRange<Int64>) -> Int64 {
    switch kind {
    case nil, .sum: 0
    case .max: range.lowerBound
    case .min: range.upperBound
    case .prod: 1
    }
  }

  private static func combine(_ kind: ReduceKind?, _ total: Double, _ value: Double) -> Double {
    switch kind {
    case nil, .sum: total + value
    case .max: total.isNaN || value.isNaN ? .nan : Swift.max(total, value)
    case .min: total.isNaN || value.isNaN ? .nan : Swift.min(total, value)
    case .prod: total * value
    }
  }

  private static func combine(_ kind: ReduceKind?, _ total: Int64, _ value: Int64) -> Int64 {
    switch kind {
    case nil, .sum: total &+ value
    case .max: Swift.max(total, value)
    case .min: Swift.min(total, value)
    case .prod: total &* value
    }
  }
}
