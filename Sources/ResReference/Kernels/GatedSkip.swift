import ResIR

/// The Highway network's gated skip as one elementwise step: `y = T·H + (1 − T)·X`, the three operands of
/// one float dtype broadcast together as numpy does. T is data (a Sigmoid of a learned layer), computed in
/// `Double` with H and X and rounded once.
enum GatedSkip {
  static func evaluate(_ operands: NodeOperands) throws(EvaluationFailure) -> ReferenceTensor {
    let gate = try operands.required(0, "T")
    let transformed = try operands.required(1, "H")
    let skipped = try operands.required(2, "X")
    let t = try gate.floatValues("T")
    try transformed.requireDType("H", gate.dtype)
    try skipped.requireDType("X", gate.dtype)
    let h = try transformed.floatValues("H")
    let x = try skipped.floatValues("X")
    let shape = try Broadcasting.shape([gate.shape, transformed.shape, skipped.shape])
    _ = try ShapeArithmetic.elementCount(shape)
    let fromT = Broadcasting.sourceIndices(gate.shape, to: shape)
    let fromH = Broadcasting.sourceIndices(transformed.shape, to: shape)
    let fromX = Broadcasting.sourceIndices(skipped.shape, to: shape)
    let values = fromT.indices.map { i in
      let g = t[fromT[i]]
      return g * h[fromH[i]] + (1 - g) * x[fromX[i]]
    }
    return ReferenceTensor(dtype: gate.dtype, shape: shape, doubles: values)
  }
}
