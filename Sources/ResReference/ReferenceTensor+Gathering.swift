import ResIR

/// Building tensors by reading other tensors' elements: every data-movement op ends here.
extension ReferenceTensor {
  /// A tensor of `shape` whose element `i` is this tensor's element `indices[i]`; dtype and values unchanged.
  func gathering(_ indices: [Int], shape: [Int]) -> ReferenceTensor {
    switch storage {
    case .floating(let values):
      ReferenceTensor(dtype: dtype, shape: shape, storage: .floating(indices.map { values[$0] }))
    case .integral(let values):
      ReferenceTensor(dtype: dtype, shape: shape, storage: .integral(indices.map { values[$0] }))
    }
  }

  /// The same elements under another shape of equal element count.
  func reshaped(_ shape: [Int]) -> ReferenceTensor {
    ReferenceTensor(dtype: dtype, shape: shape, storage: storage)
  }

  /// The elements of several tensors of one dtype, one after the other.
  static func concatenating(_ parts: [ReferenceTensor], dtype: DType, shape: [Int]) -> ReferenceTensor {
    if dtype.isFloatingPoint {
      return ReferenceTensor(dtype: dtype, shape: shape, storage: .floating(parts.flatMap(\.doubles)))
    }
    return ReferenceTensor(dtype: dtype, shape: shape, storage: .integral(parts.flatMap(\.integers)))
  }

  /// A tensor of `shape` with every element `value` (converted to `dtype`).
  static func filled(_ value: Double, dtype: DType, shape: [Int]) throws(EvaluationFailure) -> ReferenceTensor {
    let count = try ShapeArithmetic.elementCount(shape)
    if dtype.isFloatingPoint {
      let element = ElementConversion.rounded(value, to: dtype)
      return ReferenceTensor(dtype: dtype, shape: shape, storage: .floating(Array(repeating: element, count: count)))
    }
    let element = ElementConversion.integer(from: value, to: dtype)
    return ReferenceTensor(dtype: dtype, shape: shape, storage: .integral(Array(repeating: element, count: count)))
  }
}
