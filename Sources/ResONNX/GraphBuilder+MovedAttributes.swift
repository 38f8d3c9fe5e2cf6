import ResIR

/// The ops whose axes, sizes or pads moved between attributes and inputs across opsets: Split, Squeeze,
/// Unsqueeze, Slice and Pad. Whatever the form, the node gets the IR's single form: sizes, axes and pads as
/// attributes (read from constant inputs in newer opsets), Slice's parameters as inputs (made constants from
/// attributes in older opsets).
extension GraphBuilder {
  /// Sizes come from the `split` attribute (< 13; opset 1 also takes them as an input) or input (13+);
  /// without them the axis is split evenly into as many parts as the node has outputs, or, with `num_outputs`
  /// (18+), into parts of `ceil(size / n)` with a smaller last part.
  mutating func convertSplit(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let input = try node.requiredOperand(0, "input")
    let inputType = graph.type(of: input)
    let axis = try normalizedAxis(try node.attributes.int("axis", default: 0), rank: inputType.rank, of: node)
    let outputCount = node.proto.output.count
    try node.rejectAttributes(["split"], movedToInputsAt: 13)
    let given: [Int]?
    if node.opset == 1, let sizes = node.operand(1) {
      guard !node.attributes.has("split") else { throw node.error("split is given both as input and attribute") }
      given = try constantIntegers(sizes, operand: "split", of: node)
    } else if node.opset < 13 {
      try node.requireInputCount(atMost: 1)
      given = try node.attributes.ints("split")
    } else {
      try node.requireInputCount(atMost: 2)
      given = try node.operand(1).map { value throws(ModelError) in
        try constantIntegers(value, operand: "split", of: node)
      }
    }
    let numOutputs = node.opset >= 18 ? try node.attributes.int("num_outputs") : nil
    let axisSize = inputType.shape[axis].value
    let sizes: [Int]
    if let given, !given.isEmpty {
      guard numOutputs == nil else { throw node.error("split and num_outputs must not both be given") }
      guard given.count == outputCount else {
        throw node.error("split lists \(given.count) sizes for \(outputCount) outputs")
      }
      guard given.allSatisfy({ $0 >= 0 }) else { throw node.error("split \(given) has a negative size") }
      if let axisSize, given.reduce(0, { $0 &+ $1 }) != axisSize {
        throw node.error("split sizes \(given) do not add up to the axis size \(axisSize)")
      }
      sizes = given
    } else {
      sizes = try evenSplit(node, axisSize: axisSize, outputCount: outputCount, numOutputs: numOutputs)
    }
    return Conversion(.split(axis: axis, sizes: sizes), [input])
  }

  private func evenSplit(
    _ node: ONNXNode, axisSize: Int?, outputCount: Int, numOutputs: Int?
  ) throws(ModelError) -> [Int] {
    guard outputCount >= 1 else { throw node.error("has no outputs") }
    if let numOutputs, numOutputs != outputCount {
      throw node.error("num_outputs is \(numOutputs) but the node has \(outputCount) outputs")
    }
    guard let axisSize else {
      throw node.error("cannot split an axis of unknown size without explicit split sizes")
    }
    if numOutputs != nil {
      // ceil(size / n) without the overflow `size + n - 1` risks for a hostile declared size.
      let part = axisSize / outputCount + (axisSize % outputCount == 0 ? 0 : 1)
      let (others, overflow) = part.multipliedReportingOverflow(by: outputCount - 1)
      let last = axisSize - others
      guard !overflow, last >= 0 else {
        throw node.error("cannot split an axis of size \(axisSize) into \(outputCount) parts of size \(part)")
      }
      return Array(repeating: part, count: outputCount - 1) + [last]
    }
    guard axisSize % outputCount == 0 else {
      throw node.error("cannot split an axis of size \(axisSize) evenly into \(outputCount) outputs")
    }
    return Array(repeating: axisSize / outputCount, count: outputCount)
  }

  /// Axes are an optional attribute before opset 13 and an optional input from 13 on; none (or an empty
  /// list) means every axis of size 1.
  mutating func convertSqueeze(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let data = try node.requiredOperand(0, "data")
    let given = try axesAttributeOrInput(node)
    let axes = try given.flatMap { list throws(ModelError) in
      list.isEmpty ? nil : try normalizedAxes(list, rank: rank(of: data), of: node)
    }
    return Conversion(.squeeze(axes: axes), [data])
  }

  /// Axes are a required attribute before opset 13 and a required input from 13 on. They index the output,
  /// whose rank is the input's plus the number of axes.
  mutating func convertUnsqueeze(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let data = try node.requiredOperand(0, "data")
    guard let given = try axesAttributeOrInput(node) else {
      throw node.opset < 13 ? node.attributes.missing("axes") : node.error("required input 'axes' is missing")
    }
    let axes = try normalizedAxes(given, rank: rank(of: data) + given.count, of: node)
    return Conversion(.unsqueeze(axes: axes), [data])
  }

  private func axesAttributeOrInput(_ node: ONNXNode) throws(ModelError) -> [Int]? {
    try node.rejectAttributes(["axes"], movedToInputsAt: 13)
    if node.opset < 13 {
      try node.requireInputCount(atMost: 1)
      return try node.attributes.ints("axes")
    }
    try node.requireInputCount(atMost: 2)
    return try node.operand(1).map { value throws(ModelError) in
      try constantIntegers(value, operand: "axes", of: node)
    }
  }

  /// Before opset 10 starts, ends and axes are attributes; the IR keeps them as inputs (PyTorch computes them
  /// from Shape chains for dynamic batches), so the attributes become int64 constants.
  mutating func convertSlice(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.rejectAttributes(["starts", "ends", "axes", "steps"], movedToInputsAt: 10)
    guard node.opset < 10 else { return Conversion(.slice, node.operands) }
    try node.requireInputCount(atMost: 1)
    let data = try node.requiredOperand(0, "data")
    let starts = try node.attributes.requiredInts("starts")
    let ends = try node.attributes.requiredInts("ends")
    let axes = try node.attributes.ints("axes")
    guard starts.count == ends.count, axes.map({ $0.count == starts.count }) ?? true else {
      throw node.error("starts, ends and axes must have the same length")
    }
    var operands: [ValueID?] = [
      data, addIntegers(starts, named: "\(node.name)_starts"), addIntegers(ends, named: "\(node.name)_ends"),
    ]
    if let axes { operands.append(addIntegers(axes, named: "\(node.name)_axes")) }
    return Conversion(.slice, operands)
  }

  /// Pads are an attribute before opset 11 (named `paddings` at opset 1; the fill is the `value` attribute)
  /// and a constant input from 11 on (with the fill as an optional input); opset 18 adds `axes`, naming the
  /// axes the pads are for. The IR stores begins then ends for every axis.
  mutating func convertPad(_ node: ONNXNode) throws(ModelError) -> Conversion {
    let data = try node.requiredOperand(0, "data")
    let dataType = graph.type(of: data)
    let modeName = try node.attributes.string("mode", default: "constant")
    guard let mode = PadMode(rawValue: modeName) else {
      throw node.error("mode '\(modeName)' is not one of constant, reflect, edge, wrap")
    }
    try node.rejectAttributes(["pads", "value"], movedToInputsAt: 11)
    if node.opset < 11 {
      try node.requireInputCount(atMost: 1)
      let pads = try node.attributes.requiredInts(node.opset < 2 ? "paddings" : "pads")
      try checkPadCount(pads, axisCount: dataType.rank, node: node)
      let value = try node.attributes.float("value", default: 0)
      let fill = value != 0 ? addScalar(Double(value), dtype: dataType.dtype, named: "\(node.name)_value") : nil
      return Conversion(.pad(mode: mode, pads: pads), [data, fill])
    }
    try node.requireInputCount(atMost: node.opset >= 18 ? 4 : 3)
    let pads = try constantIntegers(try node.requiredOperand(1, "pads"), operand: "pads", of: node)
    let fullPads: [Int]
    if node.opset >= 18, let axesValue = node.operand(3) {
      let axes = try constantIntegers(axesValue, operand: "axes", of: node)
      fullPads = try padsForEveryAxis(pads, axes: axes, rank: dataType.rank, node: node)
    } else {
      try checkPadCount(pads, axisCount: dataType.rank, node: node)
      fullPads = pads
    }
    return Conversion(.pad(mode: mode, pads: fullPads), [data, node.operand(2)])
  }

  private func checkPadCount(_ pads: [Int], axisCount: Int, node: ONNXNode) throws(ModelError) {
    guard pads.count == 2 * axisCount else {
      throw node.error("pads has \(pads.count) entries, expected \(2 * axisCount) (begin and end per axis)")
    }
  }

  /// Spreads pads given for some `axes` over every axis (zero elsewhere).
  private func padsForEveryAxis(
    _ pads: [Int], axes: [Int], rank: Int, node: ONNXNode
  ) throws(ModelError) -> [Int] {
    try checkPadCount(pads, axisCount: axes.count, node: node)
    var full = Array(repeating: 0, count: 2 * rank)
    var seen = Set<Int>()
    for (index, axis) in axes.enumerated() {
      let normalized = try normalizedAxis(axis, rank: rank, of: node, what: "axes entry")
      guard seen.insert(normalized).inserted else { throw node.error("axes lists axis \(normalized) twice") }
      full[normalized] = pads[index]
      full[normalized + rank] = pads[index + axes.count]
    }
    return full
  }
}
