import ResIR

/// The ops that read or make shapes: Shape, Expand, ConstantOfShape.
enum ShapeOps {
  /// ONNX Shape: the input's dimensions `start..<end` as an int64 vector. Negative bounds count from the end,
  /// and both are clamped to `[0, rank]`, so an out-of-range bound never fails (ONNX's rule).
  static func shape(_ operands: NodeOperands, start: Int, end: Int?) throws(EvaluationFailure) -> ReferenceTensor {
    let data = try operands.required(0, "data")
    func clamped(_ bound: Int) -> Int { min(max(bound < 0 ? bound + data.rank : bound, 0), data.rank) }
    let (first, last) = (clamped(start), clamped(end ?? data.rank))
    let dims = first < last ? data.shape[first..<last].map { Int64($0) } : []
    return ReferenceTensor(dtype: .int64, shape: [dims.count], storage: .integral(dims))
  }

  /// ONNX Expand: the input broadcast with the requested shape (numpy's rules in both directions, so a
  /// requested 1 keeps the input's dimension).
  static func expand(_ operands: NodeOperands) throws(EvaluationFailure) -> ReferenceTensor {
    let input = try operands.required(0, "input")
    let requested = try dimensions(operands.required(1, "shape"), "shape")
    let shape = try Broadcasting.shape([input.shape, requested])
    _ = try ShapeArithmetic.elementCount(shape)
    return input.gathering(Broadcasting.sourceIndices(input.shape, to: shape), shape: shape)
  }

  /// ONNX ConstantOfShape: a tensor of the requested shape (a scalar for an empty shape) filled with `value`.
  static func constantOfShape(_ operands: NodeOperands, value: ScalarValue) throws(EvaluationFailure)
    -> ReferenceTensor
  {
    let shape = try dimensions(operands.required(0, "input"), "input")
    return try ReferenceTensor.filled(value.value, dtype: value.dtype, shape: shape)
  }

  /// A shape operand's values as dimensions, each non-negative and small enough to build.
  private static func dimensions(_ tensor: ReferenceTensor, _ role: String) throws(EvaluationFailure) -> [Int] {
    let values = try tensor.indexVector(role)
    guard values.allSatisfy({ $0 >= 0 && $0 <= Int64(ShapeArithmetic.maximumElementCount) }) else {
      throw EvaluationFailure("\(role) \(values) has a negative or oversized dimension")
    }
    return values.map { Int($0) }
  }
}
