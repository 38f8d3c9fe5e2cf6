import ResIR

/// ONNX MatMul with numpy's rules: the last two axes multiply, leading (batch) axes broadcast, and a 1-D
/// operand is a row (A) or column (B) vector whose unit axis is removed from the result. The fused form's
/// bias (slot 2) broadcasts onto the output before the residual and activation. Integer MatMul is exact
/// (wrapping like numpy's integer `matmul`) and takes no fused operands.
enum MatMul {
  static func evaluate(_ operands: NodeOperands, _ epilogue: Epilogue) throws(EvaluationFailure) -> ReferenceTensor {
    let a = try operands.required(0, "A")
    let b = try operands.required(1, "B")
    try b.requireDType("B", a.dtype)
    guard a.rank >= 1, b.rank >= 1 else { throw EvaluationFailure("MatMul operands must have rank at least 1") }
    // Promote vectors to matrices: A [K] → [1, K], B [K] → [K, 1].
    let aShape = a.rank == 1 ? [1] + a.shape : a.shape
    let bShape = b.rank == 1 ? b.shape + [1] : b.shape
    let (m, k) = (aShape[aShape.count - 2], aShape[aShape.count - 1])
    let (kB, n) = (bShape[bShape.count - 2], bShape[bShape.count - 1])
    guard k == kB else {
      throw EvaluationFailure(
        "A \(ShapeArithmetic.describe(a.shape)) and B \(ShapeArithmetic.describe(b.shape)) do not multiply")
    }
    let aBatch = Array(aShape.dropLast(2))
    let bBatch = Array(bShape.dropLast(2))
    let batchShape = try Broadcasting.shape([aBatch, bBatch])
    var outputShape = batchShape + [m, n]
    let count = try ShapeArithmetic.elementCount(outputShape)
    let aBatchIndex = Broadcasting.sourceIndices(aBatch, to: batchShape)
    let bBatchIndex = Broadcasting.sourceIndices(bBatch, to: batchShape)
    if a.rank == 1 { outputShape.remove(at: outputShape.count - 2) }
    if b.rank == 1 { outputShape.removeLast() }
    if case .integral(let aValues) = a.storage, case .integral(let bValues) = b.storage {
      guard a.dtype.isInteger, epilogue.isEmpty, operands.optional(2) == nil else {
        throw EvaluationFailure("MatMul on \(a.dtype.rawValue) takes no fused operands and no bool operands")
      }
      var output = [Int64](repeating: 0, count: count)
      for batch in aBatchIndex.indices {
        MatrixProduct.accumulateIntegers(
          aValues, (row: k, column: 1), bValues, (row: n, column: 1), into: &output, outputOffset: batch * m * n,
          m: m, k: k, n: n, aOffset: aBatchIndex[batch] * m * k, bOffset: bBatchIndex[batch] * k * n)
      }
      return ReferenceTensor(dtype: a.dtype, shape: outputShape, integers: output)
    }
    let (aValues, bValues) = (try a.floatValues("A"), try b.floatValues("B"))
    var output = [Double](repeating: 0, count: count)
    for batch in aBatchIndex.indices {
      MatrixProduct.accumulate(
        aValues, (row: k, column: 1), bValues, (row: n, column: 1), into: &output, outputOffset: batch * m * n,
        m: m, k: k, n: n, aOffset: aBatchIndex[batch] * m * k, bOffset: bBatchIndex[batch] * k * n)
    }
    if let bias = operands.optional(2) {
      try bias.requireDType("bias", a.dtype)
      try MatrixProduct.addBroadcastBias(bias, scale: 1, to: &output, shape: outputShape, role: "bias")
    }
    try EpilogueEvaluation.finish(
      &output, shape: outputShape, epilogue: epilogue, residual: operands.optional(Op.residualSlot), dtype: a.dtype)
    return ReferenceTensor(dtype: a.dtype, shape: outputShape, doubles: output)
  }
}
