import ResIR

/// Checks kernels make on their operands before reading them, each failing with a message that names the
/// operand by its ONNX role.
extension ReferenceTensor {
  var rank: Int { shape.count }

  /// The values of a float tensor; integer and bool tensors are rejected (`role` is `X`, `W`...).
  func floatValues(_ role: String) throws(EvaluationFailure) -> [Double] {
    guard case .floating(let values) = storage, dtype.isFloatingPoint else {
      throw EvaluationFailure("\(role) must be a float tensor, not \(dtype.rawValue)")
    }
    return values
  }

  /// The values of an int32 or int64 tensor: shapes, axes, indices, sequence lengths.
  func indexValues(_ role: String) throws(EvaluationFailure) -> [Int64] {
    guard dtype == .int64 || dtype == .int32, case .integral(let values) = storage else {
      throw EvaluationFailure("\(role) must be an int64 or int32 tensor, not \(dtype.rawValue)")
    }
    return values
  }

  /// The values of a 1-D (or scalar) int32/int64 tensor, such as Reshape's shape or Slice's starts.
  func indexVector(_ role: String) throws(EvaluationFailure) -> [Int64] {
    guard rank <= 1 else {
      throw EvaluationFailure("\(role) must be 1-D, but has shape \(ShapeArithmetic.describe(shape))")
    }
    return try indexValues(role)
  }

  func requireRank(_ role: String, _ allowed: ClosedRange<Int>) throws(EvaluationFailure) {
    guard allowed.contains(rank) else {
      let expected =
        allowed.upperBound == Int.max
        ? "at least \(allowed.lowerBound)"
        : allowed.count == 1 ? "\(allowed.lowerBound)" : "\(allowed.lowerBound) to \(allowed.upperBound)"
      throw EvaluationFailure(
        "\(role) must have rank \(expected), but has shape \(ShapeArithmetic.describe(shape))")
    }
  }

  func requireShape(_ role: String, _ expected: [Int]) throws(EvaluationFailure) {
    guard shape == expected else {
      throw EvaluationFailure(
        "\(role) must have shape \(ShapeArithmetic.describe(expected)), but has \(ShapeArithmetic.describe(shape))")
    }
  }

  func requireDType(_ role: String, _ expected: DType) throws(EvaluationFailure) {
    guard dtype == expected else {
      throw EvaluationFailure("\(role) must be \(expected.rawValue) like the first operand, not \(dtype.rawValue)")
    }
  }

  /// The single value of a one-element integer tensor, exactly (Range's bounds).
  func integerScalar(_ role: String) throws(EvaluationFailure) -> Int64 {
    guard elementCount == 1 else {
      throw EvaluationFailure("\(role) must hold one value, but has shape \(ShapeArithmetic.describe(shape))")
    }
    return integers[0]
  }

  /// The single value of a one-element tensor (a Clip bound, Pad's constant value).
  func scalarValue(_ role: String) throws(EvaluationFailure) -> Double {
    guard elementCount == 1 else {
      throw EvaluationFailure("\(role) must hold one value, but has shape \(ShapeArithmetic.describe(shape))")
    }
    return doubles[0]
  }
}
