import ResIR

/// ONNX Loop, unrolled: the body is imported once per iteration (`Subgraph`).
///
/// Exporters write fixed-length recurrences as Loops: tf2onnx turns every Keras LSTM, GRU and SimpleRNN into
/// a TensorFlow while_loop whose trip count is the sequence length and whose condition compares counters
/// that start from constants; PyTorch's scripted `for` loops carry a constant-true condition. In all of them
/// the number of iterations is known when compiling, so the loop becomes straight-line code the optimizer
/// fuses like the rest of the graph. A loop whose trip count or condition depends on the model's input values
/// cannot be a static plan and is refused with the reason.
///
/// Semantics (ONNX Loop, every opset): inputs `M` (trip count, optional), `cond` (optional) and the initial
/// loop-carried values; the body takes the iteration number, the condition and the carried values, and
/// returns the next condition, the next carried values and its scan outputs. The loop runs while
/// `i < M && cond`; its results are the final carried values, then each scan output stacked over the
/// iterations along a new first axis.
extension GraphBuilder {
  mutating func importLoop(_ node: ONNXNode) throws(ModelError) {
    let body = try node.attributes.requiredGraph("body")
    let carriedCount = max(0, node.proto.input.count - 2)
    guard body.input.count == carriedCount + 2 else {
      throw node.error(
        "the body has \(body.input.count) inputs; with \(carriedCount) loop-carried value(s) it must have "
          + "\(carriedCount + 2) (iteration number, condition, then the carried values)")
    }
    guard body.output.count >= carriedCount + 1 else {
      throw node.error(
        "the body has \(body.output.count) outputs; it must return the condition and the \(carriedCount) "
          + "loop-carried value(s)")
    }
    let scanCount = body.output.count - 1 - carriedCount
    guard node.proto.output.count <= carriedCount + scanCount else {
      throw node.error(
        "has \(node.proto.output.count) outputs; its body gives \(carriedCount) loop-carried value(s) and "
          + "\(scanCount) scan output(s)")
    }
    var carried: [NamedValue] = []
    for slot in 0..<carriedCount {
      guard let value = namedValue(node.proto.input[slot + 2]) else {
        throw node.error("loop-carried value #\(slot + 1) has no initial value")
      }
      carried.append(value)
    }
    try checkCarriedTypes(carried, against: body, of: node)
    let tripCount = try knownTripCount(of: node)
    var condition = node.operand(1)
    guard tripCount != nil || condition != nil else {
      throw node.error("has neither a trip count nor a condition: it would never end")
    }
    let subgraph = try subgraph(body, attribute: "body", of: node)
    if let tripCount, condition == nil { try checkInliningBudget(copies: tripCount, of: subgraph, owner: node) }
    let counterShape = Self.counterShape(declared: body.input[0])
    // Without a condition input the body's condition output is ignored: the loop is a plain `for`.
    let conditionIn = condition ?? addGeneratedConstant("\(node.name)/condition", Self.trueConstant)
    var scans = Array(repeating: [ValueID](), count: scanCount)
    var iteration = 0
    while tripCount.map({ iteration < $0 }) ?? true {
      if let condition, try !loopContinues(condition, after: iteration, of: node) { break }
      let counter = addGeneratedConstant(
        "\(node.name)/iteration\(iteration)/counter",
        Constant(int64s: [Int64(iteration)], dims: counterShape))
      let results = try importCopy(
        of: subgraph, inputs: [.tensor(counter), .tensor(condition ?? conditionIn)] + carried,
        instance: "\(node.name)/iteration\(iteration)", owner: node)
      if condition != nil { condition = try tensor(results[0], "the condition the body returns", of: node) }
      carried = Array(results[1..<(1 + carriedCount)])
      for scan in 0..<scanCount {
        scans[scan].append(try tensor(results[1 + carriedCount + scan], "scan output #\(scan + 1)", of: node))
      }
      iteration += 1
    }
    try setLoopOutputs(of: node, carried: carried, scans: scans)
    reportControlFlow("unrolled, \(iteration) iteration\(iteration == 1 ? "" : "s")", of: node)
  }

  private static let trueConstant = Constant(dtype: .bool, dims: [], doubles: [1])

  /// The iteration number's shape: a scalar as the specification says, or `[1]` when the body declares it so
  /// (some converters do).
  private static func counterShape(declared: Onnx_ValueInfoProto) -> [Int] {
    DeclaredType.of(declared)?.rank == 1 ? [1] : []
  }

  /// `M` as a number (negative counts as zero), nil when the loop has none.
  private func knownTripCount(of node: ONNXNode) throws(ModelError) -> Int? {
    guard let value = node.operand(0) else { return nil }
    let type = graph.type(of: value)
    guard type.dtype == .int64, type.elementCount == 1 else {
      throw node.error("the trip count M must be an int64 tensor of one element, got \(type)")
    }
    let element = inference.elements(of: value, in: graph)?.first
    if case .symbol(let symbol)? = element {
      throw node.error(
        "the trip count M is the symbolic dimension '\(symbol)', not known when compiling: give its size with "
          + "--dim \(symbol)=<size>")
    }
    guard case .known(let count)? = element else {
      throw node.error(
        "the trip count M is not known when compiling (it depends on the model's input values): only loops "
          + "with a trip count and condition computed from constants and shapes can be unrolled")
    }
    return max(0, count)
  }

  /// Whether the loop runs another iteration: its condition, which must be known when compiling.
  private func loopContinues(_ condition: ValueID, after iteration: Int, of node: ONNXNode) throws(ModelError) -> Bool {
    let role = iteration == 0 ? "the condition" : "the condition the body returns"
    guard let holds = try knownCondition(condition, of: node, role) else {
      let when = iteration == 0 ? "before the first iteration" : "after iteration \(iteration)"
      throw node.error(
        "\(role) is not known when compiling \(when) (it depends on the model's input values): only loops "
          + "with a trip count and condition computed from constants and shapes can be unrolled")
    }
    return holds
  }

  /// A loop-carried value must be what the body declares it takes: a tensor of the declared element type, or
  /// a sequence where it declares one.
  private func checkCarriedTypes(_ carried: [NamedValue], against body: Onnx_GraphProto, of node: ONNXNode)
    throws(ModelError)
  {
    for (slot, value) in carried.enumerated() {
      let declaration = body.input[slot + 2]
      switch (declaration.type.value, value) {
      case (.tensorType(let declared)?, .tensor(let tensor)):
        guard declared.elemType != 0, let dtype = ONNXDataType.dtype(code: Int(declared.elemType)) else { continue }
        let given = graph.type(of: tensor).dtype
        guard dtype == given else {
          throw node.error("loop-carried value '\(declaration.name)' is declared \(dtype) but starts as \(given)")
        }
      case (.tensorType?, .sequence):
        throw node.error("loop-carried value '\(declaration.name)' is declared a tensor but starts as a sequence")
      case (.sequenceType?, .tensor):
        throw node.error("loop-carried value '\(declaration.name)' is declared a sequence but starts as a tensor")
      case (nil, _), (.sequenceType?, .sequence):
        continue
      case (_?, _):
        throw node.error("loop-carried value '\(declaration.name)' is neither a tensor nor a sequence of tensors")
      }
    }
  }

  /// Names the final carried values and the stacked scan outputs with the Loop's output names.
  private mutating func setLoopOutputs(
    of node: ONNXNode, carried: [NamedValue], scans: [[ValueID]]
  ) throws(ModelError) {
    for slot in node.proto.output.indices {
      guard let name = node.outputName(slot) else { continue }
      if slot < carried.count {
        try setOutput(carried[slot], slot: slot, of: node)
        continue
      }
      let pieces = scans[slot - carried.count]
      guard !pieces.isEmpty else {
        guard !consumedNames.contains(name) else {
          throw node.error("runs no iterations, so its scan output '\(name)' is empty, which is not supported")
        }
        continue
      }
      try setOutput(.tensor(try stacked(pieces, axis: 0, named: "\(node.name)/\(name)")), slot: slot, of: node)
    }
  }
}
