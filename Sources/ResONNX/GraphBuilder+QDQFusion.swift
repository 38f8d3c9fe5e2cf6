import ResIR

/// QDQ models (onnxruntime's default `quantize_static` format, and what QAT exporters write) wrap every
/// float op in DequantizeLinear and QuantizeLinear: `Q(Conv(DQ(x), DQ(w), DQ(b)))`. Computed as written, the
/// convolution sums the dequantized floats, each product rounded, and its result, quantized again, can land a
/// level away from where onnxruntime puts it: onnxruntime fuses the pattern into QLinearConv and sums the
/// integer levels exactly. So does this importer: a Conv or MatMul whose inputs are DequantizeLinear results
/// of 8-bit tensors (a constant weight, per tensor or per output channel), whose bias (if any) is an int32
/// DequantizeLinear at scale `x_scale · w_scale` with zero points of 0, and whose only reader is a
/// QuantizeLinear with constant parameters, imports as the QLinearConv or QLinearMatMul of those levels
/// (`GraphBuilder+IntegerProducts`), and an Add of two such DequantizeLinear results (per tensor) as
/// QLinearAdd (`quantizedBinary`: in float64, where float32 misplaces sums close to a level boundary); the
/// QuantizeLinear then names that result. Any other shape of the pattern imports op by op, as written.
extension GraphBuilder {
  /// The main graph's nodes by the values they produce and read, for recognizing the pattern.
  struct QDQIndex {
    var producers: [String: Onnx_NodeProto] = [:]
    var readers: [String: [Onnx_NodeProto]] = [:]
    /// Graph outputs and the values subgraphs read: readers the pattern cannot see.
    var graphOutputs: Set<String>

    init(_ proto: Onnx_GraphProto) {
      graphOutputs = Set(proto.output.map(\.name)).union(Subgraphs.readsInside(proto))
      for node in proto.node {
        for output in node.output where !output.isEmpty { producers[output] = node }
        for input in Set(node.input) where !input.isEmpty { readers[input, default: []].append(node) }
      }
    }
  }

  /// Imports `node` (a Conv or MatMul of the main graph) with the QuantizeLinear reading it as one integer
  /// product, when the pattern holds; false (nothing imported) otherwise.
  mutating func importFusedQDQ(_ node: ONNXNode) throws(ModelError) -> Bool {
    guard subgraphDepth == 0, let index = qdqIndex, node.proto.domain.isEmpty,
      ["Conv", "MatMul", "Add"].contains(node.opType), let output = node.outputName(0),
      !index.graphOutputs.contains(output), let readers = index.readers[output], readers.count == 1,
      let quantize = readers.first, quantize.opType == "QuantizeLinear", quantize.domain.isEmpty,
      quantize.input.count == 3, let quantized = quantize.output.first, !quantized.isEmpty,
      let yScale = scalarConstant(quantize.input[1]), let yZero = scalarConstant(quantize.input[2]),
      isEightBit(yZero), try NodeAttributes(quantize, name: quantized).int("block_size", default: 0) == 0
    else { return false }
    if node.opType == "Add" {
      guard node.proto.input.count == 2, let a = dequantization(of: node.proto.input[0], index, weightAxis: nil),
        let b = dequantization(of: node.proto.input[1], index, weightAxis: nil)
      else { return false }
      let fused = node.replacingOperands(
        [a.levels, a.scale, a.zeroPoint, b.levels, b.scale, b.zeroPoint, yScale, yZero])
      return try define(quantized, as: try quantizedBinary(fused, .add), node, like: "QLinearAdd")
    }
    let isConv = node.opType == "Conv"
    guard let input = dequantization(of: node.proto.input[0], index, weightAxis: nil),
      node.proto.input.count >= 2,
      let weight = dequantization(of: node.proto.input[1], index, weightAxis: isConv ? 0 : -1),
      constant(behind: weight.levels) != nil
    else { return false }
    var operands: [ValueID?] = [
      input.levels, input.scale, input.zeroPoint, weight.levels, weight.scale, weight.zeroPoint, yScale, yZero,
    ]
    if node.proto.input.count > 2, !node.proto.input[2].isEmpty {
      guard isConv, let bias = integerBias(node.proto.input[2], index, input: input, weight: weight) else {
        return false
      }
      operands.append(bias)
    }
    let fused = node.replacingOperands(operands)
    let conversion = isConv ? try convertQLinearConv(fused) : try convertQLinearMatMul(fused)
    return try define(quantized, as: conversion, node, like: "QLinear\(node.opType)")
  }

  /// Imports `conversion` as node `node.name` whose result is the QuantizeLinear's `quantized` (so a graph
  /// output keeps its name); that QuantizeLinear then imports as nothing.
  private mutating func define(
    _ quantized: String, as conversion: Conversion, _ node: ONNXNode, like fusedOperator: String
  ) throws(ModelError) -> Bool {
    let inputs = Self.trimmingAbsentTail(conversion.operands)
    try Self.checkArity(conversion.op, inputs, node)
    graph.appendNode(name: node.name, op: conversion.op, inputs: inputs, results: [(quantized, Self.untyped)])
    try inference.inferNode(at: graph.nodes.count - 1, in: &graph)
    let result = graph.nodes[graph.nodes.count - 1].outputs[0]
    values[quantized] = result
    try applyDeclaredType(of: quantized, to: result, node: node)
    fusedQuantizations.insert(quantized)
    modelChanges.append(
      "\(node.name): \(node.opType) between DequantizeLinear and QuantizeLinear computed on the integer levels "
        + "(as onnxruntime's \(fusedOperator))")
    return true
  }

  /// A DequantizeLinear's operands when `value` is one of an 8-bit tensor with a constant zero point and a
  /// constant scale: one value, or (for a weight) one per channel along `weightAxis` (-1: the last axis).
  private func dequantization(
    of value: String, _ index: QDQIndex, weightAxis: Int?
  ) -> (levels: ValueID, scale: ValueID, zeroPoint: ValueID)? {
    guard let node = index.producers[value], node.opType == "DequantizeLinear", node.domain.isEmpty,
      node.input.count == 3, let levels = values[node.input[0]], isEightBit(levels),
      let scale = values[node.input[1]], let zeroPoint = values[node.input[2]],
      graph.type(of: scale).dtype == .float32, let scales = constant(behind: scale),
      let points = constant(behind: zeroPoint), graph.type(of: zeroPoint).dtype == graph.type(of: levels).dtype,
      let attributes = try? NodeAttributes(node, name: value),
      (try? attributes.int("block_size", default: 0)) == 0
    else { return nil }
    if scales.elementCount == 1, points.elementCount == 1, graph.type(of: scale).rank <= 1 {
      return (levels, scale, zeroPoint)
    }
    guard let weightAxis, graph.type(of: scale).rank == 1, points.elementCount == scales.elementCount,
      let rank = Optional(graph.type(of: levels).rank), rank >= 1,
      let axis = try? attributes.int("axis", default: 1),
      (axis < 0 ? axis + rank : axis) == (weightAxis < 0 ? weightAxis + rank : weightAxis),
      graph.type(of: levels).shape[(weightAxis + rank) % rank].value == scales.elementCount
    else { return nil }
    return (levels, scale, zeroPoint)
  }

  /// The int32 levels of a Conv bias dequantized at scale `x_scale · w_scale` (per channel) with zero
  /// points of 0, the form QLinearConv adds to its accumulator; nil for any other bias.
  private func integerBias(
    _ value: String, _ index: QDQIndex, input: (levels: ValueID, scale: ValueID, zeroPoint: ValueID),
    weight: (levels: ValueID, scale: ValueID, zeroPoint: ValueID)
  ) -> ValueID? {
    guard let node = index.producers[value], node.opType == "DequantizeLinear", node.domain.isEmpty,
      node.input.count >= 2, let levels = values[node.input[0]], graph.type(of: levels).dtype == .int32,
      constant(behind: levels) != nil, let biasScale = values[node.input[1]].flatMap({ constant(behind: $0) }),
      let inputScale = constant(behind: input.scale), let weightScale = constant(behind: weight.scale)
    else { return nil }
    if node.input.count > 2, !node.input[2].isEmpty {
      guard let point = values[node.input[2]].flatMap({ constant(behind: $0) }), point.doubles().allSatisfy({ $0 == 0 })
      else { return nil }
    }
    let xScale = Float(inputScale.doubles()[0])
    let weightScales = weightScale.doubles().map(Float.init)
    let biasScales = biasScale.doubles().map(Float.init)
    guard biasScales.count == weightScales.count || biasScales.count == 1 else { return nil }
    for (channel, scale) in weightScales.enumerated() {
      let given = biasScales.count == 1 ? biasScales[0] : biasScales[channel]
      guard given == xScale * scale else { return nil }
    }
    if biasScales.count == 1, weightScales.count > 1 { return nil }
    return levels
  }

  private func scalarConstant(_ name: String) -> ValueID? {
    guard let value = values[name], let constant = constant(behind: value), constant.elementCount == 1 else {
      return nil
    }
    return value
  }

  private func isEightBit(_ value: ValueID) -> Bool {
    let dtype = graph.type(of: value).dtype
    return dtype == .int8 || dtype == .uint8
  }
}
