extension NodeContext {
  /// Gemm: `op(A)[M,K] · op(B)[K,N] → [M,N]`, with C unidirectionally broadcast to `[M,N]`.
  func gemm(_ attributes: GemmAttributes) throws(ModelError) -> TensorType {
    let a = try operand(0)
    let b = try operand(1)
    try requireDType(a, .floatsAndWideIntegers, "A")
    try requireSameDType([0, 1, 2])
    try requireRank(a, 2, "A")
    try requireRank(b, 2, "B")
    let (m, kA) = attributes.transA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let (kB, n) = attributes.transB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
    guard Broadcasting.unify(kA, kB) != nil else {
      throw error(
        "inner dimensions differ: A \(shapeText(a.shape)) gives K = \(kA), B \(shapeText(b.shape)) gives K = \(kB)")
    }
    let output = [m, n]
    if let c = optionalOperand(2), Broadcasting.conflictsUnidirectionally(c.shape, to: output) {
      throw error("C \(shapeText(c.shape)) does not broadcast to the output \(shapeText(output))")
    }
    return TensorType(a.dtype, output)
  }

  /// MatMul with numpy semantics: a 1-D operand is promoted to a matrix (and the added axis removed again),
  /// batch axes broadcast. A fused bias must provably broadcast to the output.
  func matMul() throws(ModelError) -> TensorType {
    let a = try operand(0)
    let b = try operand(1)
    try requireDType(a, .floatsAndWideIntegers, "A")
    try requireSameDType([0, 1, 2])
    try requireRank(a, atLeast: 1, "A")
    try requireRank(b, atLeast: 1, "B")
    let left = a.rank == 1 ? [.known(1)] + a.shape : a.shape
    let right = b.rank == 1 ? b.shape + [.known(1)] : b.shape
    let kA = left[left.count - 1]
    let kB = right[right.count - 2]
    guard Broadcasting.unify(kA, kB) != nil else {
      throw error(
        "inner dimensions differ: A \(shapeText(a.shape)) has K = \(kA), B \(shapeText(b.shape)) has K = \(kB)")
    }
    let leftBatch = Array(left.dropLast(2))
    let rightBatch = Array(right.dropLast(2))
    guard let batch = Broadcasting.broadcast([leftBatch, rightBatch]) else {
      throw error("batch dimensions \(shapeText(leftBatch)) and \(shapeText(rightBatch)) cannot broadcast")
    }
    var shape = batch
    if a.rank != 1 { shape.append(left[left.count - 2]) }
    if b.rank != 1 { shape.append(right[right.count - 1]) }
    if let bias = optionalOperand(2), !Broadcasting.provablyBroadcasts(bias.shape, to: shape) {
      throw error("bias \(shapeText(bias.shape)) does not provably broadcast to the output \(shapeText(shape))")
    }
    return TensorType(a.dtype, shape)
  }
}
