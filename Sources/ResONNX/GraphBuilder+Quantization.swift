import ResIR

/// QuantizeLinear and DequantizeLinear on int8 and uint8, per tensor or per axis, computed in float: the QDQ
/// models quantization tools write (onnxruntime's quantizer, QAT exports) import and run, their weights'
/// DequantizeLinear folding to float constants when compiling. Blocked quantization, `precision` and the
/// 4-bit, 16-bit and 8-bit float types are refused.
extension GraphBuilder {
  /// `(x − zero_point) · scale`, in the scale's float type.
  mutating func convertDequantizeLinear(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let (x, scale, zeroPoint) = try quantizationOperands(node)
    let dtype = graph.type(of: scale).dtype
    let value = try step(.cast(to: dtype), [x], "value", of: node)
    var centered = value
    if let zeroPoint {
      let offset = try step(.cast(to: dtype), [zeroPoint], "zero_point_value", of: node)
      centered = try step(.binary(.sub), [value, offset], "centered", of: node)
    }
    return Conversion(.binary(.mul), [centered, scale])
  }

  /// `saturate(round(x / scale) + zero_point)` in the zero point's type (uint8 without one), rounding half to
  /// even as ONNX does.
  mutating func convertQuantizeLinear(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let (x, scale, zeroPoint) = try quantizationOperands(node)
    let given = try node.attributes.int("output_dtype", default: 0)
    let target: DType
    if let zeroPoint {
      target = graph.type(of: zeroPoint).dtype
    } else if given != 0 {
      guard let named = ONNXDataType.dtype(code: given) else {
        throw node.error("output_dtype \(given) is not supported")
      }
      target = named
    } else {
      target = .uint8
    }
    guard target == .int8 || target == .uint8 else {
      throw node.error("quantizing to \(target.onnxName) is not supported (int8 and uint8 are)")
    }
    let dtype = graph.type(of: x).dtype
    let ratio = try step(.binary(.div), [x, scale], "ratio", of: node)
    var level = try step(.unary(.round), [ratio], "level", of: node)
    if let zeroPoint {
      let offset = try step(.cast(to: dtype), [zeroPoint], "zero_point_value", of: node)
      level = try step(.binary(.add), [level, offset], "shifted", of: node)
    }
    let range = target == .int8 ? (-128.0, 127.0) : (0.0, 255.0)
    let low = addScalar(range.0, dtype: dtype, named: "\(node.name)_low")
    let high = addScalar(range.1, dtype: dtype, named: "\(node.name)_high")
    let saturated = try step(.clip, [level, low, high], "saturated", of: node)
    return Conversion(.cast(to: target), [saturated])
  }

  /// x, the scale (per-axis scales reshaped to broadcast along `axis`) and the zero point, likewise.
  private mutating func quantizationOperands(
    _ node: ONNXNode
  ) throws(ModelError) -> (ValueID, ValueID, ValueID?) {
    try node.requireInputCount(atMost: 3)
    if try node.attributes.int("block_size", default: 0) != 0 {
      throw node.error("blocked quantization (block_size) is not supported")
    }
    if try node.attributes.int("precision", default: 0) != 0 { throw node.error("precision is not supported") }
    let x = try node.requiredOperand(0, "x")
    var scale = try node.requiredOperand(1, "scale")
    var zeroPoint = node.operand(2)
    let xType = graph.type(of: x)
    for value in [x] + (zeroPoint.map { [$0] } ?? []) {
      let dtype = graph.type(of: value).dtype
      guard dtype == .int8 || dtype == .uint8 || dtype == .int32 || dtype.isFloatingPoint else {
        throw node.error("element type \(dtype.onnxName) is not supported (int8, uint8, int32, float)")
      }
    }
    guard graph.type(of: scale).dtype.isFloatingPoint else { throw node.error("the scale must be a float tensor") }
    if graph.type(of: scale).rank == 1, xType.rank > 1 {
      let axis = try normalizedAxis(try node.attributes.int("axis", default: 1), rank: xType.rank, of: node)
      let unitAxes = (0..<xType.rank).filter { $0 != axis }
      scale = try step(.unsqueeze(axes: unitAxes), [scale], "scale_along_axis", of: node)
      if let point = zeroPoint {
        zeroPoint = try step(.unsqueeze(axes: unitAxes), [point], "zero_point_along_axis", of: node)
      }
    }
    return (x, scale, zeroPoint)
  }
}
