import ResIR

/// ONNX Gemm: `Y = alpha·op(A)·op(B) + beta·C` with `op` an optional transpose, then the epilogue. C is the
/// op's bias operand: it broadcasts (unidirectionally) onto `[M, N]`.
///
/// Integer Gemm follows ONNX's reference implementation: the product is exact (wrapping like numpy's `dot`);
/// with alpha = beta = 1 the sum stays exact, otherwise `alpha·AB + beta·C` is computed in floating point and
/// converted back as `Cast` converts. Epilogues are float-only.
enum Gemm {
  static func evaluate(_ operands: NodeOperands, _ attributes: GemmAttributes) throws(EvaluationFailure)
    -> ReferenceTensor
  {
    let a = try operands.required(0, "A")
    let b = try operands.required(1, "B")
    try b.requireDType("B", a.dtype)
    try a.requireRank("A", 2...2)
    try b.requireRank("B", 2...2)
    let (m, k) = attributes.transA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let (kB, n) = attributes.transB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
    guard k == kB else {
      throw EvaluationFailure(
        "A \(ShapeArithmetic.describe(a.shape)) and B \(ShapeArithmetic.describe(b.shape)) do not multiply "
          + "(transA=\(attributes.transA ? 1 : 0), transB=\(attributes.transB ? 1 : 0))")
    }
    let shape = [m, n]
    let count = try ShapeArithmetic.elementCount(shape)
    // Element (i, k) of op(A) and (k, j) of op(B) as offsets into the stored matrices.
    let aStrides = attributes.transA ? (row: 1, column: m) : (row: k, column: 1)
    let bStrides = attributes.transB ? (row: 1, column: k) : (row: n, column: 1)
    let c = operands.optional(2)
    if let c { try c.requireDType("C", a.dtype) }
    if case .integral(let aValues) = a.storage, case .integral(let bValues) = b.storage {
      guard a.dtype.isInteger, attributes.epilogue.isEmpty else {
        throw EvaluationFailure("Gemm on \(a.dtype.rawValue) takes no epilogue and no bool operands")
      }
      var product = [Int64](repeating: 0, count: count)
      MatrixProduct.accumulateIntegers(
        aValues, aStrides, bValues, bStrides, into: &product, outputOffset: 0, m: m, k: k, n: n)
      return try integerResult(product, c, attributes, dtype: a.dtype, shape: shape)
    }
    var output = [Double](repeating: 0, count: count)
    MatrixProduct.accumulate(
      try a.floatValues("A"), aStrides, try b.floatValues("B"), bStrides, into: &output, outputOffset: 0, m: m, k: k,
      n: n)
    let alpha = Double(attributes.alpha)
    for i in output.indices { output[i] *= alpha }
    if let c {
      try MatrixProduct.addBroadcastBias(c, scale: Double(attributes.beta), to: &output, shape: shape, role: "C")
    }
    try EpilogueEvaluation.finish(
      &output, shape: shape, epilogue: attributes.epilogue, residual: operands.optional(Op.residualSlot),
      dtype: a.dtype)
    return ReferenceTensor(dtype: a.dtype, shape: shape, doubles: output)
  }

  /// `alpha·AB + beta·C` for an integer product `AB`.
  private static func integerResult(
    _ product: [Int64], _ c: ReferenceTensor?, _ attributes: GemmAttributes, dtype: DType, shape: [Int]
  ) throws(EvaluationFailure) -> ReferenceTensor {
    var bias = [Int64](repeating: 0, count: product.count)
    if let c {
      guard Broadcasting.isUnidirectional(c.shape, to: shape) else {
        throw EvaluationFailure(
          "C has shape \(ShapeArithmetic.describe(c.shape)), which does not broadcast to the output "
            + "\(ShapeArithmetic.describe(shape))")
      }
      let values = c.integers
      bias = Broadcasting.sourceIndices(c.shape, to: shape).map { values[$0] }
    }
    if attributes.alpha == 1 && attributes.beta == 1 {
      return ReferenceTensor(dtype: dtype, shape: shape, integers: zip(product, bias).map { $0 &+ $1 })
    }
    let (alpha, beta) = (Double(attributes.alpha), Double(attributes.beta))
    let values = zip(product, bias).map { alpha * Double($0) + beta * Double($1) }
    return ReferenceTensor(dtype: dtype, shape: shape, doubles: values)
  }
}
