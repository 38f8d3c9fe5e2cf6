import ResIR

/// ONNX BatchNormalization in inference form: per channel (axis 1),
/// `Y = (X − mean) / √(var + epsilon) · scale + B`. The four parameters may be of any float type (ONNX lets
/// them differ from X's, say f32 statistics for an f16 network); Y has X's.
enum BatchNormalization {
  static func evaluate(_ operands: NodeOperands, epsilon: Float) throws(EvaluationFailure) -> ReferenceTensor {
    let x = try operands.required(0, "X")
    let input = try x.floatValues("X")
    try x.requireRank("X", 2...Int.max)
    let channels = x.shape[1]
    var parameters: [[Double]] = []
    for (slot, role) in ["scale", "B", "input_mean", "input_var"].enumerated() {
      let tensor = try operands.required(slot + 1, role)
      try tensor.requireShape(role, [channels])
      parameters.append(try tensor.floatValues(role))
    }
    let (scale, bias, mean, variance) = (parameters[0], parameters[1], parameters[2], parameters[3])
    let plane = x.shape.dropFirst(2).reduce(1, *)
    var output = input
    for (i, value) in input.enumerated() {
      let c = (i / max(plane, 1)) % channels
      output[i] = (value - mean[c]) / (variance[c] + Double(epsilon)).squareRoot() * scale[c] + bias[c]
    }
    return ReferenceTensor(dtype: x.dtype, shape: x.shape, doubles: output)
  }
}
