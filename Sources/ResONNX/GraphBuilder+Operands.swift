import ResIR

/// What conversions need to know about their operands: ranks, and the values of operands that the IR turns
/// into typed attributes.
extension GraphBuilder {
  func rank(of value: ValueID) -> Int {
    graph.type(of: value).rank
  }

  /// The constant behind `value`: an initializer, a Constant node, a bound input, or any of these seen through
  /// a chain of Identity nodes.
  func constant(behind value: ValueID) -> Constant? {
    var current = value
    var steps = 0
    while steps <= identitySources.count {
      if let constant = graph.constant(current) { return constant }
      guard let source = identitySources[current] else { return nil }
      current = source
      steps += 1
    }
    return nil
  }

  /// The integers held by an operand that the IR needs as an attribute (axes, split sizes, pads): a scalar or
  /// a vector of an integer type.
  ///
  /// Besides constants, a value that shape inference computed completely (a `Shape` of a static tensor, the
  /// pads PyTorch's `F.pad` computes from constants) is accepted: the IR stores the numbers, and where they
  /// came from no longer matters.
  func constantIntegers(_ value: ValueID, operand: String, of node: ONNXNode) throws(ModelError) -> [Int] {
    let type = graph.type(of: value)
    guard type.dtype.isInteger else {
      throw node.error("operand '\(operand)' must hold integers, not \(type.dtype.onnxName)")
    }
    guard type.rank <= 1 else {
      throw node.error("operand '\(operand)' must be a scalar or a 1-D tensor, not \(type)")
    }
    if let constant = constant(behind: value) { return constant.integers() }
    if let elements = inference.elements(of: value, in: graph) {
      let known = elements.compactMap(\.value)
      if known.count == elements.count { return known }
    }
    throw node.error("operand '\(operand)' of \(node.opType) must be a constant")
  }

  /// `axis` made non-negative for a tensor of `rank` (ONNX allows `-rank...rank-1`).
  func normalizedAxis(_ axis: Int, rank: Int, of node: ONNXNode, what: String = "axis") throws(ModelError) -> Int {
    guard axis >= -rank, axis < rank else {
      throw node.error("\(what) \(axis) is out of range for rank \(rank)")
    }
    return axis < 0 ? axis + rank : axis
  }

  /// `axes` made non-negative and sorted; a repeated axis is an error. Sorting gives one form for the sets of
  /// axes that Squeeze, Unsqueeze and ReduceMean take, whichever order the exporter wrote.
  func normalizedAxes(_ axes: [Int], rank: Int, of node: ONNXNode, what: String = "axes") throws(ModelError) -> [Int] {
    var normalized: [Int] = []
    for axis in axes {
      normalized.append(try normalizedAxis(axis, rank: rank, of: node, what: "\(what) entry"))
    }
    normalized.sort()
    if let repeated = zip(normalized, normalized.dropFirst()).first(where: { $0 == $1 }) {
      throw node.error("\(what) lists axis \(repeated.0) twice")
    }
    return normalized
  }

  /// A scalar constant of `dtype`, for operands that older opsets gave as attributes (Clip bounds, Pad value).
  mutating func addScalar(_ value: Double, dtype: DType, named base: String) -> ValueID {
    addGeneratedConstant(base, Constant(dtype: dtype, dims: [], doubles: [value]))
  }

  /// int64 `indices` with the negative ones counted from the end of their axis: `index + size` where
  /// `index < 0` (`sizes` broadcasts against the indices: one size, or one per trailing component). GatherND,
  /// ScatterElements and OneHot read indices this way.
  mutating func wrappingNegative(
    _ indices: ValueID, by sizes: ValueID, _ node: ONNXNode
  ) throws(ModelError) -> ValueID {
    let zero = addScalar(0, dtype: .int64, named: "\(node.name)_zero")
    let negative = try appendTyped(
      Conversion(.binary(.compare(.less)), [indices, zero]), named: "\(node.name).negative")
    let shifted = try appendTyped(Conversion(.binary(.add), [indices, sizes]), named: "\(node.name).shifted")
    return try appendTyped(Conversion(.where, [negative, shifted, indices]), named: "\(node.name).wrapped")
  }

  /// A 1-D int64 constant, for Slice's starts/ends/axes given as attributes before opset 10.
  mutating func addIntegers(_ values: [Int], named base: String) -> ValueID {
    addGeneratedConstant(base, Constant(int64s: values.map { Int64($0) }, dims: [values.count]))
  }
}
