import ResIR

/// DynamicQuantizeLinear: uint8 levels of a float tensor with a scale and zero point computed from the tensor
/// itself, how onnxruntime's dynamic quantization feeds activations to MatMulInteger and ConvInteger.
///
/// As ONNX defines it: the range is widened to include 0, `scale = (max − min) / 255` (1/255 when the range
/// is empty), `zero_point = saturate(round(−min / scale))` and `y = saturate(round(x / scale) + zero_point)`,
/// each computed in float32 in that order, so the levels are the ones onnxruntime computes.
extension GraphBuilder {
  mutating func convertDynamicQuantizeLinear(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.requireInputCount(atMost: 1)
    let x = try node.requiredOperand(0, "x")
    guard graph.type(of: x).dtype == .float32 else {
      throw node.error("element type \(graph.type(of: x).dtype.onnxName) is not supported (float is)")
    }
    let zero = addScalar(0, dtype: .float32, named: "\(node.name)_zero")
    let largest = try step(.reduce(.max, axes: nil, keepDims: false), [x], "max", of: node)
    let smallest = try step(.reduce(.min, axes: nil, keepDims: false), [x], "min", of: node)
    let upper = try step(.variadic(.max), [largest, zero], "upper", of: node)
    let lower = try step(.variadic(.min), [smallest, zero], "lower", of: node)
    let span = try step(.binary(.sub), [upper, lower], "span", of: node)
    let empty = try step(.binary(.equal), [span, zero], "empty", of: node)
    let one = addScalar(1, dtype: .float32, named: "\(node.name)_one")
    let range = try step(.where, [empty, one, span], "range", of: node)
    let levels = addScalar(255, dtype: .float32, named: "\(node.name)_levels")
    let scale = try step(.binary(.div), [range, levels], "scale", of: node)
    let lowestLevel = try step(.binary(.div), [lower, scale], "lowest_level", of: node)
    let offset = try step(.binary(.sub), [zero, lowestLevel], "offset", of: node)
    let zeroPoint = try appendTyped(
      try saturated(offset, plus: nil, to: .uint8, node), named: "\(node.name).zero_point")
    var conversion = try quantized(x, scale: scale, zeroPoint: zeroPoint, to: .uint8, node)
    conversion.extraOutputs[1] = try exposed(scale, asOutput: 1, of: node)
    conversion.extraOutputs[2] = try exposed(zeroPoint, asOutput: 2, of: node)
    return conversion
  }
}
