import ResIR

extension Constant {
  /// A tensor the evaluator computed, as a graph constant, exactly: the inverse of `ReferenceTensor(constant:)`.
  ///
  /// Float values are already rounded to their dtype, so storing them loses nothing; integers are stored from
  /// their `Int64` values, never through `Double`, which would lose int64 bits above 2^53. Constant folding
  /// (the optimizer's and the code generator's) stores every folded result through here.
  package convenience init(_ tensor: ReferenceTensor) {
    switch tensor.storage {
    case .floating(let values):
      self.init(dtype: tensor.dtype, dims: tensor.shape, doubles: values)
    case .integral(let values):
      self.init(dtype: tensor.dtype, dims: tensor.shape, bytes: Constant.integerBytes(values, as: tensor.dtype))
    }
  }

  /// Integer values stored as `dtype`, wrapping to its width as C's conversions do (a `ReferenceTensor`'s
  /// integral storage already holds values of its dtype, so nothing wraps for those).
  package static func integerBytes(_ values: [Int64], as dtype: DType) -> TensorBytes {
    switch dtype {
    case .int64: TensorBytes(copyingScalars: values)
    case .int32: TensorBytes(copyingScalars: values.map { Int32(truncatingIfNeeded: $0) })
    case .int8: TensorBytes(copyingScalars: values.map { Int8(truncatingIfNeeded: $0) })
    case .uint8: TensorBytes(copyingScalars: values.map { UInt8(truncatingIfNeeded: $0) })
    case .bool: TensorBytes(copyingScalars: values.map { $0 != 0 ? UInt8(1) : UInt8(0) })
    case .float32: TensorBytes(copyingScalars: values.map { Float($0) })
    case .float16: TensorBytes(copyingScalars: values.map { Float16(Float($0)).bitPattern })
    case .float64: TensorBytes(copyingScalars: values.map { Double($0) })
    }
  }
}
