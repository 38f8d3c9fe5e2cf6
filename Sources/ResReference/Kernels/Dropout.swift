import ResIR

/// ONNX Dropout in inference form: the output is the input, and the mask (a second result) is all true,
/// since nothing was dropped.
enum Dropout {
  static func evaluate(_ operands: NodeOperands) throws(EvaluationFailure) -> [ReferenceTensor] {
    let data = try operands.required(0, "data")
    let mask = try ReferenceTensor.filled(1, dtype: .bool, shape: data.shape)
    return [data, mask]
  }
}
