import ResIR

/// ONNX Concat and Split: joining tensors along an axis, and cutting one into consecutive pieces.
enum ConcatSplit {
  /// Every operand has the same rank and dtype and the same dimensions except along `axis`.
  static func concat(_ operands: NodeOperands, axis: Int) throws(EvaluationFailure) -> ReferenceTensor {
    let inputs = operands.present
    guard let first = inputs.first else { throw EvaluationFailure("Concat needs at least one operand") }
    let a = try ShapeArithmetic.axis(axis, rank: first.rank)
    for (i, input) in inputs.enumerated() {
      try input.requireDType("operand \(i)", first.dtype)
      var expected = first.shape
      if input.rank == first.rank { expected[a] = input.shape[a] }
      guard input.shape == expected else {
        throw EvaluationFailure(
          "operand \(i) has shape \(ShapeArithmetic.describe(input.shape)), which does not fit operand 0's "
            + "\(ShapeArithmetic.describe(first.shape)) along axis \(axis)")
      }
    }
    var shape = first.shape
    shape[a] = inputs.reduce(0) { $0 + $1.shape[a] }
    _ = try ShapeArithmetic.elementCount(shape)
    // Concatenating flattened operands, then reading each output element from its piece.
    let all = ReferenceTensor.concatenating(
      inputs, dtype: first.dtype, shape: [inputs.reduce(0) { $0 + $1.elementCount }])
    let inner = shape[(a + 1)...].reduce(1, *)
    var indices: [Int] = []
    indices.reserveCapacity(all.elementCount)
    for o in 0..<shape[..<a].reduce(1, *) {
      var pieceStart = 0
      for input in inputs {
        let block = input.shape[a] * inner
        indices.append(contentsOf: (pieceStart + o * block)..<(pieceStart + (o + 1) * block))
        pieceStart += input.elementCount
      }
    }
    return all.gathering(indices, shape: shape)
  }

  /// Cuts `input` along `axis` into pieces of `sizes`, which must add up to the axis.
  static func split(_ operands: NodeOperands, axis: Int, sizes: [Int]) throws(EvaluationFailure)
    -> [ReferenceTensor]
  {
    let input = try operands.required(0, "input")
    let a = try ShapeArithmetic.axis(axis, rank: input.rank)
    let dim = input.shape[a]
    // Each size is checked before summing, so the sum cannot overflow.
    guard sizes.allSatisfy({ (0...dim).contains($0) }), sizes.reduce(0, +) == dim else {
      throw EvaluationFailure(
        "split sizes \(ShapeArithmetic.describe(sizes)) do not add up to axis \(axis) of shape "
          + "\(ShapeArithmetic.describe(input.shape))")
    }
    let strides = ShapeArithmetic.strides(input.shape)
    var start = 0
    return sizes.map { size in
      var shape = input.shape
      shape[a] = size
      let view = StridedView(shape: shape, strides: strides, offset: start * strides[a])
      start += size
      return input.gathering(view.sourceIndices(), shape: shape)
    }
  }
}
