import ResIR

/// ONNX Transpose: output axis `i` is input axis `perm[i]` (an empty `perm` reverses the axes, ONNX's default).
enum Transpose {
  static func evaluate(_ operands: NodeOperands, perm: [Int]) throws(EvaluationFailure) -> ReferenceTensor {
    let data = try operands.required(0, "data")
    let order = perm.isEmpty ? Array((0..<data.rank).reversed()) : perm
    guard order.sorted() == Array(0..<data.rank) else {
      throw EvaluationFailure("perm \(ShapeArithmetic.describe(perm)) is not a permutation of \(data.rank) axes")
    }
    let strides = ShapeArithmetic.strides(data.shape)
    let view = StridedView(shape: order.map { data.shape[$0] }, strides: order.map { strides[$0] })
    return data.gathering(view.sourceIndices(), shape: view.shape)
  }
}
