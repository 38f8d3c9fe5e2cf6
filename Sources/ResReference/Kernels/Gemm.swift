import ResIR

/// ONNX Gemm: `Y = alpha·op(A)·op(B) + beta·C` with `op` an optional transpose, then the epilogue. C is the
/// op's bias operand: it broadcasts (unidirectionally) onto `[M, N]`.
enum Gemm {
  static func evaluate(_ operands: NodeOperands, _ attributes: GemmAttributes) throws(EvaluationFailure)
    -> ReferenceTensor
  {
    let a = try operands.required(0, "A")
    let b = try operands.required(1, "B")
    let aValues = try a.floatValues("A")
    let bValues = try b.floatValues("B")
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
    let outputShape = [m, n]
    var output = [Double](repeating: 0, count: try ShapeArithmetic.elementCount(outputShape))
    // Element (i, k) of op(A) and (k, j) of op(B) as offsets into the stored matrices.
    let aStrides = attributes.transA ? (row: 1, column: m) : (row: k, column: 1)
    let bStrides = attributes.transB ? (row: 1, column: k) : (row: n, column: 1)
    MatrixProduct.accumulate(
      aValues, aStrides, bValues, bStrides, into: &output, outputOffset: 0, m: m, k: k, n: n)
    let alpha = Double(attributes.alpha)
    for i in output.indices { output[i] *= alpha }
    if let c = operands.optional(2) {
      try c.requireDType("C", a.dtype)
      try MatrixProduct.addBroadcastBias(c, scale: Double(attributes.beta), to: &output, shape: outputShape, role: "C")
    }
    try EpilogueEvaluation.finish(
      &output, shape: outputShape, epilogue: attributes.epilogue, residual: operands.optional(Op.residualSlot),
      dtype: a.dtype)
    return ReferenceTensor(dtype: a.dtype, shape: outputShape, doubles: output)
  }
}
