import ResIR

/// QuantizeLinear and DequantizeLinear on int8 and uint8, per tensor or per axis, computed in float: the QDQ
/// models quantization tools write (onnxruntime's quantizer, QAT exports) import and run, their weights'
/// DequantizeLinear folding to float constants when compiling. Blocked quantization, `precision` and the
/// 4-bit, 16-bit and 8-bit float types are refused.
///
/// The value-level helpers here (`centered`, `dequantized`, `quantized`) are shared by every quantized
/// operator (`GraphBuilder+IntegerProducts`, `+DynamicQuantization`, `+MicrosoftQuantized`), so each of them
/// rounds and saturates the same way.
extension GraphBuilder {
  /// `(x − zero_point) · scale`, in the scale's float type.
  mutating func convertDequantizeLinear(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let (x, scale, zeroPoint) = try quantizationOperands(node)
    let centered = try centered(x, minus: zeroPoint, as: graph.type(of: scale).dtype, node)
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
    let ratio = try step(.binary(.div), [x, scale], "ratio", of: node)
    return try saturated(ratio, plus: zeroPoint, to: target, node)
  }

  /// `x − zero_point` as a `dtype` tensor (`x` alone without a zero point): the integer levels a quantized
  /// tensor stands for, exact in float32 for 8-bit values.
  mutating func centered(
    _ x: ValueID, minus zeroPoint: ValueID?, as dtype: DType, _ node: ONNXNode, _ label: String = "value"
  ) throws(ModelError) -> ValueID {
    let value = try step(.cast(to: dtype), [x], label, of: node)
    guard let zeroPoint else { return value }
    let offset = try step(.cast(to: dtype), [zeroPoint], "\(label)_zero_point", of: node)
    return try step(.binary(.sub), [value, offset], "\(label)_centered", of: node)
  }

  /// `(x − zero_point) · scale` as a value, for operators that dequantize their inputs inside one node.
  mutating func dequantized(
    _ x: ValueID, scale: ValueID, zeroPoint: ValueID?, _ node: ONNXNode, _ label: String
  ) throws(ModelError) -> ValueID {
    try requireQuantizedOperands(x, scale: scale, zeroPoint: zeroPoint, node)
    let levels = try centered(x, minus: zeroPoint, as: graph.type(of: scale).dtype, node, label)
    return try step(.binary(.mul), [levels, scale], "\(label)_dequantized", of: node)
  }

  /// `saturate(round(value / scale) + zero_point)` as the node's result, in `target` (the zero point's type
  /// when there is one).
  mutating func quantized(
    _ value: ValueID, scale: ValueID, zeroPoint: ValueID?, to target: DType, _ node: ONNXNode
  ) throws(ModelError) -> Conversion {
    try requireQuantizedOperands(nil, scale: scale, zeroPoint: zeroPoint, node)
    let ratio = try step(.binary(.div), [value, scale], "ratio", of: node)
    return try saturated(ratio, plus: zeroPoint, to: target, node)
  }

  /// `saturate(round(levels) + zero_point)` cast to `target`, int8 or uint8: the last steps of every
  /// quantizing operator. Rounding is half to even (the IR's `round`), as ONNX and onnxruntime round.
  mutating func saturated(
    _ levels: ValueID, plus zeroPoint: ValueID?, to target: DType, _ node: ONNXNode
  ) throws(ModelError) -> Conversion {
    guard target == .int8 || target == .uint8 else {
      throw node.error("quantizing to \(target.onnxName) is not supported (int8 and uint8 are)")
    }
    let dtype = graph.type(of: levels).dtype
    var level = try step(.unary(.round), [levels], "level", of: node)
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

  /// A 1-D per-axis `value` (a scale or zero point) reshaped to broadcast along `axis` of a rank-`rank`
  /// tensor; a scalar is returned as it is.
  mutating func alongAxis(
    _ value: ValueID, axis: Int, rank: Int, _ node: ONNXNode, _ label: String
  ) throws(ModelError) -> ValueID {
    guard self.rank(of: value) == 1, rank > 1 else { return value }
    let unitAxes = (0..<rank).filter { $0 != axis }
    return try step(.unsqueeze(axes: unitAxes), [value], label, of: node)
  }

  /// Throws unless `x` and the zero point are 8-bit (or int32, or float for `x`) and the scale is a float.
  func requireQuantizedOperands(
    _ x: ValueID?, scale: ValueID, zeroPoint: ValueID?, _ node: ONNXNode
  ) throws(ModelError) {
    for value in [x, zeroPoint].compactMap({ $0 }) {
      let dtype = graph.type(of: value).dtype
      guard dtype == .int8 || dtype == .uint8 || dtype == .int32 || dtype.isFloatingPoint else {
        throw node.error("element type \(dtype.onnxName) is not supported (int8, uint8, int32, float)")
      }
    }
    guard graph.type(of: scale).dtype.isFloatingPoint else { throw node.error("the scale must be a float tensor") }
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
    try requireQuantizedOperands(x, scale: scale, zeroPoint: zeroPoint, node)
    let xRank = rank(of: x)
    if rank(of: scale) == 1, xRank > 1 {
      let axis = try normalizedAxis(try node.attributes.int("axis", default: 1), rank: xRank, of: node)
      scale = try alongAxis(scale, axis: axis, rank: xRank, node, "scale_along_axis")
      if let point = zeroPoint {
        zeroPoint = try alongAxis(point, axis: axis, rank: xRank, node, "zero_point_along_axis")
      }
    }
    return (x, scale, zeroPoint)
  }
}
