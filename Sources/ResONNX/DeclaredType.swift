import ResIR

/// The tensor types a model declares for its inputs, outputs and intermediate values (`ValueInfoProto`).
enum DeclaredType {
  /// The declared type, or nil when the model gives no usable one (no type, not a tensor, no shape, or an
  /// element type the IR does not have). `dim_value` becomes a known dimension, `dim_param` a symbol, and a
  /// dimension with neither (or a negative value, which some exporters write for "dynamic") is unknown.
  static func of(_ info: Onnx_ValueInfoProto) -> TensorType? {
    guard case .tensorType(let tensor)? = info.type.value, tensor.hasShape,
      let dtype = ONNXDataType.dtype(code: Int(tensor.elemType))
    else { return nil }
    return TensorType(dtype, tensor.shape.dim.map(dimension))
  }

  /// The type of a graph input, which must be a tensor of known element type and rank: the IR has no unranked
  /// values, and an input is where every shape starts.
  static func ofGraphInput(_ info: Onnx_ValueInfoProto) throws(ModelError) -> TensorType {
    guard case .tensorType(let tensor)? = info.type.value else {
      throw ModelError("graph input '\(info.name)' is not a tensor (sequences, maps and optionals are not supported)")
    }
    let code = Int(tensor.elemType)
    guard let dtype = ONNXDataType.dtype(code: code) else {
      throw ModelError("graph input '\(info.name)': \(ONNXDataType.unsupportedMessage(code: code))")
    }
    guard tensor.hasShape else {
      throw ModelError("graph input '\(info.name)' has no shape; its rank must be declared")
    }
    return TensorType(dtype, tensor.shape.dim.map(dimension))
  }

  private static func dimension(_ dim: Onnx_TensorShapeProto.Dimension) -> Dim {
    switch dim.value {
    case .dimValue(let value)?: value >= 0 ? .known(Int(value)) : .unknown
    case .dimParam(let name)?: name.isEmpty ? .unknown : .symbol(name)
    case nil: .unknown
    }
  }
}
