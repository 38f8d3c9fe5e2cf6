import ResIR

/// The fused per-channel affine map: `y = act(x · scale[c] + shift[c] + residual)`, `c` the index along
/// `axis`. What an inference BatchNormalization with no Conv before it becomes, with scale and shift already
/// folded (`scale = γ/√(var + ε)`, `shift = β − mean · scale`) and its activation fused; every operand has X's
/// dtype and the whole expression is computed in `Double` and rounded once.
enum ScaleShift {
  static func evaluate(_ operands: NodeOperands, axis: Int, epilogue: Epilogue) throws(EvaluationFailure)
    -> ReferenceTensor
  {
    let x = try operands.required(0, "X")
    let input = try x.floatValues("X")
    let channelAxis = try ShapeArithmetic.axis(axis, rank: x.rank)
    let channels = x.shape[channelAxis]
    var parameters: [[Double]] = []
    for (slot, role) in [(1, "scale"), (2, "shift")] {
      let tensor = try operands.required(slot, role)
      try tensor.requireDType(role, x.dtype)
      try tensor.requireShape(role, [channels])
      parameters.append(try tensor.floatValues(role))
    }
    let (scale, shift) = (parameters[0], parameters[1])
    // Elements of one channel come in runs of `inner` (the axes after `axis`). The product only overflows when
    // another axis is 0, and then there is nothing to compute.
    let inner = ShapeArithmetic.product(x.shape[(channelAxis + 1)...]) ?? 0
    var output = input
    for (i, value) in input.enumerated() {
      let c = (i / inner) % channels
      output[i] = value * scale[c] + shift[c]
    }
    try EpilogueEvaluation.finish(
      &output, shape: x.shape, epilogue: epilogue, residual: operands.optional(Op.residualSlot), dtype: x.dtype)
    return ReferenceTensor(dtype: x.dtype, shape: x.shape, doubles: output)
  }
}
