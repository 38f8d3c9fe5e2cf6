/// The element types an ONNX operand may have (the schema's type constraint, restricted to rescompile's
/// `DType`s), so that a float-only op fed an integer tensor is rejected at import instead of at run time.
struct DTypeConstraint: Sendable {
  let allowed: [DType]

  /// f16, f32, f64: what Conv, the normalizations, the activations and the recurrent layers accept.
  static let floats = DTypeConstraint(allowed: [.float16, .float32, .float64])
  /// Every type but `bool`: what arithmetic accepts.
  static let numeric = DTypeConstraint(allowed: [.float16, .float32, .float64, .int64, .int32, .int8, .uint8])
  /// Floats plus the wide integers: MatMul, Gemm, ReduceMean, Pow's base.
  static let floatsAndWideIntegers = DTypeConstraint(allowed: [.float16, .float32, .float64, .int64, .int32])
  /// ReduceMax and ReduceMin also take bool.
  static let floatsWideIntegersAndBool = DTypeConstraint(allowed: [.float16, .float32, .float64, .int64, .int32, .bool])
  /// Relu also takes signed integers.
  static let floatsAndSignedIntegers = DTypeConstraint(allowed: [.float16, .float32, .float64, .int64, .int32, .int8])
  /// MaxPool also takes 8-bit integers.
  static let floatsAndBytes = DTypeConstraint(allowed: [.float16, .float32, .float64, .int8, .uint8])
  /// Index operands (Gather's indices, Slice's starts and ends).
  static let indices = DTypeConstraint(allowed: [.int64, .int32])
  static let int64 = DTypeConstraint(allowed: [.int64])
  static let int32 = DTypeConstraint(allowed: [.int32])
  static let bool = DTypeConstraint(allowed: [.bool])

  func admits(_ dtype: DType) -> Bool { allowed.contains(dtype) }

  /// `float16, float or double`: the allowed types as a message lists them.
  var description: String {
    let names = allowed.map(\.onnxName)
    guard let last = names.last else { return "nothing" }
    return names.count == 1 ? last : names.dropLast().joined(separator: ", ") + " or " + last
  }
}
