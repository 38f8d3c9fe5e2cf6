import ResIR

/// The integer products of ONNX's quantized operator format: MatMulInteger and ConvInteger (int32 results,
/// what onnxruntime's dynamic quantization writes) and QLinearMatMul and QLinearConv (8-bit in, 8-bit out,
/// what its static quantization writes in the operator format).
///
/// Each runs as the float product of the centered integer levels, `(x − x_zero_point)·(w − w_zero_point)`:
/// every product and partial sum of 8-bit levels is an integer below 2²⁴ for reductions of up to ~250 steps
/// of extreme values (and far longer ones in practice), so float32 computes onnxruntime's int32 accumulator
/// exactly, and constant weights fold to float levels when compiling, which the float kernels then run. The
/// 8-bit results are requantized as the ONNX reference does: `round(accumulator · (x_scale·w_scale /
/// y_scale)) + y_zero_point`, saturated, one multiplier per output channel.
extension GraphBuilder {
  /// `(A − a_zero_point) · (B − b_zero_point)` as int32; per-row zero points of A, per-column ones of B.
  mutating func convertMatMulInteger(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.requireInputCount(atMost: 4)
    let product = try centeredMatMul(node, a: (0, node.operand(2)), b: (1, node.operand(3)))
    return Conversion(.cast(to: .int32), [product])
  }

  /// `Conv(x − x_zero_point, w − w_zero_point)` as int32; a per-channel zero point of w along its output
  /// channels. Padding adds centered zeros, that is, x's zero point, as the ONNX reference pads.
  mutating func convertConvInteger(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.requireInputCount(atMost: 4)
    let accumulator = try centeredConv(node, x: (0, node.operand(2)), w: (1, node.operand(3)), bias: nil)
    return Conversion(.cast(to: .int32), [accumulator])
  }

  /// QLinearMatMul(a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point).
  mutating func convertQLinearMatMul(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.requireInputCount(atMost: 8)
    let a = try node.requiredOperand(0, "a")
    let aScale = try alongRows(try node.requiredOperand(1, "a_scale"), of: a, node, "a_scale_rows")
    let bScale = try node.requiredOperand(4, "b_scale")
    let product = try centeredMatMul(node, a: (0, node.operand(2)), b: (3, node.operand(5)))
    return try requantized(product, scales: (aScale, bScale), output: (6, 7), node)
  }

  /// QLinearConv(x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B): B is int32
  /// at scale `x_scale·w_scale`, so it adds to the accumulator before the requantization.
  mutating func convertQLinearConv(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.requireInputCount(atMost: 9)
    let bias = try node.operand(8).map { value throws(ModelError) in
      try step(.cast(to: .float32), [value], "bias_levels", of: node)
    }
    let accumulator = try centeredConv(node, x: (0, node.operand(2)), w: (3, node.operand(5)), bias: bias)
    let weightScale = try alongAxis(
      try node.requiredOperand(4, "w_scale"), axis: 1, rank: rank(of: accumulator), node, "w_scale_channels")
    return try requantized(accumulator, scales: (try node.requiredOperand(1, "x_scale"), weightScale),
      output: (6, 7), node)
  }

  /// The float product of A's and B's centered levels (operand slots and zero points given).
  private mutating func centeredMatMul(
    _ node: ONNXNode, a: (slot: Int, zeroPoint: ValueID?), b: (slot: Int, zeroPoint: ValueID?)
  ) throws(ModelError) -> ValueID {
    let aValue = try node.requiredOperand(a.slot, "a")
    let bValue = try node.requiredOperand(b.slot, "b")
    try requireEightBit([aValue, bValue] + [a.zeroPoint, b.zeroPoint].compactMap { $0 }, node)
    let aZero = try a.zeroPoint.map { point throws(ModelError) in
      try alongRows(point, of: aValue, node, "a_zero_point_rows")
    }
    let aLevels = try centered(aValue, minus: aZero, as: .float32, node, "a")
    let bLevels = try centered(bValue, minus: b.zeroPoint, as: .float32, node, "b")
    return try step(.matMul(.none), [aLevels, bLevels], "accumulator", of: node)
  }

  /// The float convolution of x's and w's centered levels, the node's Conv attributes applied.
  private mutating func centeredConv(
    _ node: ONNXNode, x: (slot: Int, zeroPoint: ValueID?), w: (slot: Int, zeroPoint: ValueID?), bias: ValueID?
  ) throws(ModelError) -> ValueID {
    let xValue = try node.requiredOperand(x.slot, "x")
    let wValue = try node.requiredOperand(w.slot, "w")
    try requireEightBit([xValue, wValue] + [x.zeroPoint, w.zeroPoint].compactMap { $0 }, node)
    if let point = x.zeroPoint, graph.type(of: point).elementCount != 1 {
      throw node.error("x_zero_point must hold one value (x is quantized per tensor)")
    }
    let wZero = try w.zeroPoint.map { point throws(ModelError) in
      try alongAxis(point, axis: 0, rank: rank(of: wValue), node, "w_zero_point_channels")
    }
    let xLevels = try centered(xValue, minus: x.zeroPoint, as: .float32, node, "x")
    let wLevels = try centered(wValue, minus: wZero, as: .float32, node, "w")
    var conv = try convertConv(node.replacingOperands([xLevels, wLevels, bias]))
    if case .conv(var attributes) = conv.op {
      attributes.exactSums = true
      conv.op = .conv(attributes)
    }
    return try appendTyped(conv, named: "\(node.name).accumulator")
  }

  /// `round(accumulator · (scale₁·scale₂ / y_scale)) + y_zero_point`, saturated to the zero point's type.
  private mutating func requantized(
    _ accumulator: ValueID, scales: (ValueID, ValueID), output: (scale: Int, zeroPoint: Int), _ node: ONNXNode
  ) throws(ModelError) -> Conversion {
    let yScale = try node.requiredOperand(output.scale, "y_scale")
    let yZero = try node.requiredOperand(output.zeroPoint, "y_zero_point")
    for scale in [scales.0, scales.1, yScale] {
      try requireQuantizedOperands(nil, scale: scale, zeroPoint: nil, node)
    }
    let first = try step(.cast(to: .float32), [scales.0], "first_scale", of: node)
    let second = try step(.cast(to: .float32), [scales.1], "second_scale", of: node)
    let output = try step(.cast(to: .float32), [yScale], "output_scale", of: node)
    let inputScale = try step(.binary(.mul), [first, second], "input_scale", of: node)
    let multiplier = try step(.binary(.div), [inputScale, output], "multiplier", of: node)
    let levels = try step(.binary(.mul), [accumulator, multiplier], "levels", of: node)
    return try saturated(levels, plus: yZero, to: graph.type(of: yZero).dtype, node)
  }

  /// A per-row (1-D, one value per row of `matrix`) scale or zero point reshaped to `[rows, 1]`.
  private mutating func alongRows(
    _ value: ValueID, of matrix: ValueID, _ node: ONNXNode, _ label: String
  ) throws(ModelError) -> ValueID {
    guard rank(of: value) == 1, graph.type(of: value).elementCount != 1 else { return value }
    return try step(.unsqueeze(axes: [1]), [value], label, of: node)
  }

  private func requireEightBit(_ values: [ValueID], _ node: ONNXNode) throws(ModelError) {
    for value in values {
      let dtype = graph.type(of: value).dtype
      guard dtype == .int8 || dtype == .uint8 else {
        throw node.error("element type \(dtype.onnxName) is not supported (int8 and uint8 are)")
      }
    }
  }
}

extension ONNXNode {
  /// This node with other IR operands: for conversions that compute an operator's inputs first and then
  /// convert it as another operator with the same attributes (ConvInteger as a Conv of centered levels).
  func replacingOperands(_ operands: [ValueID?]) -> ONNXNode {
    ONNXNode(proto: proto, name: name, attributes: attributes, operands: operands, opset: opset)
  }
}
