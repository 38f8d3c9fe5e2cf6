import ResIR

/// ONNX Scan (opset 9 on), unrolled like Loop: the body is imported once per position of the scanned axis.
///
/// A Scan runs its body over slices of its scan inputs along an axis whose length the input's type fixes,
/// so the iteration count is always known for a static input: ONNX's function bodies write recurrent state
/// updates this way (LinearAttention's expansion), as do some converters' RNNs. Each iteration binds the
/// state variables and one slice of every scan input (the slice at `t`, or at `L − 1 − t` for a reversed
/// input; Gather with a scalar index, which drops the axis); the body's scan outputs are stacked along their
/// output axes, in reverse for a reversed output. Scan-8 (a batch axis and per-batch lengths) is not on
/// `OpSupport`'s list.
extension GraphBuilder {
  mutating func importScan(_ node: ONNXNode) throws(ModelError) {
    let body = try node.attributes.requiredGraph("body")
    let scanInputCount = try node.attributes.requiredInt("num_scan_inputs")
    let stateCount = node.proto.input.count - scanInputCount
    guard scanInputCount >= 1, stateCount >= 0, body.input.count == node.proto.input.count else {
      throw node.error(
        "num_scan_inputs is \(scanInputCount) of \(node.proto.input.count) inputs, and the body takes "
          + "\(body.input.count): the body must take every state variable and one slice of every scan input")
    }
    let scanOutputCount = body.output.count - stateCount
    guard scanOutputCount >= 0, node.proto.output.count <= body.output.count else {
      throw node.error("the body gives \(body.output.count) outputs for \(stateCount) state variable(s)")
    }
    var states: [NamedValue] = []
    for slot in 0..<stateCount {
      guard let value = node.operand(slot) else { throw node.error("state variable #\(slot + 1) is missing") }
      states.append(.tensor(value))
    }
    let inputs = try scanInputs(node, from: stateCount)
    let outputAxes = try axes("scan_output_axes", count: scanOutputCount, node)
    let outputReversed = try directions("scan_output_directions", count: scanOutputCount, node)
    let subgraph = try subgraph(body, attribute: "body", of: node)
    try checkInliningBudget(copies: inputs.length, of: subgraph, owner: node)
    var scans = Array(repeating: [ValueID](), count: scanOutputCount)
    for iteration in 0..<inputs.length {
      var slices: [NamedValue] = []
      for (index, input) in inputs.values.enumerated() {
        let position = inputs.reversed[index] ? inputs.length - 1 - iteration : iteration
        let at = addScalar(Double(position), dtype: .int64, named: "\(node.name)/iteration\(iteration)/at\(index)")
        let slice = try step(.gather(axis: inputs.axes[index]), [input, at], "iteration\(iteration)/slice\(index)", of: node)
        slices.append(.tensor(slice))
      }
      let results = try importCopy(
        of: subgraph, inputs: states + slices, instance: "\(node.name)/iteration\(iteration)", owner: node)
      states = Array(results[0..<stateCount])
      for scan in 0..<scanOutputCount {
        scans[scan].append(try tensor(results[stateCount + scan], "scan output #\(scan + 1)", of: node))
      }
    }
    for slot in node.proto.output.indices {
      if slot < stateCount {
        try setOutput(states[slot], slot: slot, of: node)
        continue
      }
      let scan = slot - stateCount
      guard node.outputName(slot) != nil, let first = scans[scan].first else { continue }
      let pieces = outputReversed[scan] ? scans[scan].reversed() : scans[scan]
      let axis = try normalizedAxis(outputAxes[scan], rank: graph.type(of: first).rank + 1, of: node)
      try setOutput(.tensor(try stacked(pieces, axis: axis, named: "\(node.name)/output\(slot)")), slot: slot, of: node)
    }
    reportControlFlow("unrolled, \(inputs.length) iteration\(inputs.length == 1 ? "" : "s")", of: node)
  }

  /// The scan inputs, their axes (non-negative) and directions, and the length they share.
  private func scanInputs(_ node: ONNXNode, from first: Int) throws(ModelError) -> (
    values: [ValueID], axes: [Int], reversed: [Bool], length: Int
  ) {
    var values: [ValueID] = []
    for slot in first..<node.proto.input.count {
      guard let value = node.operand(slot) else { throw node.error("scan input #\(slot - first + 1) is missing") }
      values.append(value)
    }
    let given = try axes("scan_input_axes", count: values.count, node)
    let reversed = try directions("scan_input_directions", count: values.count, node)
    var axes: [Int] = []
    var lengths: [Int] = []
    for (value, axis) in zip(values, given) {
      let type = graph.type(of: value)
      let normalized = try normalizedAxis(axis, rank: type.rank, of: node, what: "scan input axis")
      guard let length = type.shape[normalized].value else {
        var hint = ""
        if case .symbol(let symbol) = type.shape[normalized] { hint = ": give its size with --dim \(symbol)=<size>" }
        throw node.error("the scanned axis \(normalized) of \(type) is not known when compiling\(hint)")
      }
      axes.append(normalized)
      lengths.append(length)
    }
    guard let length = lengths.first, lengths.allSatisfy({ $0 == length }) else {
      throw node.error("the scan inputs' scanned axes differ in length: \(lengths)")
    }
    return (values, axes, reversed, length)
  }

  /// An axes attribute of one entry per scan input or output, 0 for each when absent.
  private func axes(_ name: String, count: Int, _ node: ONNXNode) throws(ModelError) -> [Int] {
    guard let given = try node.attributes.ints(name) else { return Array(repeating: 0, count: count) }
    guard given.count == count else { throw node.error("\(name) has \(given.count) entries for \(count)") }
    return given
  }

  /// A directions attribute (0 forward, 1 reverse) of one entry per scan input or output.
  private func directions(_ name: String, count: Int, _ node: ONNXNode) throws(ModelError) -> [Bool] {
    let given = try axes(name, count: count, node)
    guard given.allSatisfy({ $0 == 0 || $0 == 1 }) else { throw node.error("\(name) entries must be 0 or 1") }
    return given.map { $0 == 1 }
  }
}
