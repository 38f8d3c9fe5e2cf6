/// Finds the graph inputs that feed operands a static-shape program must know when it is compiled.
///
/// ONNX's node tests pass axes, pads and shapes as graph inputs; rescompile needs them as constants, so the
/// test harness asks for these names and binds them (`ONNXImportOptions.inputBindings`).
enum ShapeOperandInputs {
  static func find(in graph: Onnx_GraphProto, opset: Int) -> [String] {
    var identityInput: [String: String] = [:]
    for node in graph.node where node.opType == "Identity" && OpSupport.isDefaultDomain(node.domain) {
      if let output = node.output.first, let input = node.input.first { identityInput[output] = input }
    }
    var fed = Set<String>()
    for node in graph.node where OpSupport.isDefaultDomain(node.domain) {
      for slot in slots(of: node.opType, opset: opset) where slot < node.input.count {
        var name = node.input[slot]
        var steps = 0
        while let source = identityInput[name], steps < graph.node.count {
          name = source
          steps += 1
        }
        fed.insert(name)
      }
    }
    let initializers = Set(graph.initializer.map(\.name))
    return graph.input.map(\.name).filter { fed.contains($0) && !initializers.contains($0) }
  }

  /// The input slots of `opType` at `opset` that decide an output shape or must be constant in the IR.
  static func slots(of opType: String, opset: Int) -> [Int] {
    switch opType {
    case "Reshape", "Expand": [1]
    case "ConstantOfShape": [0]
    case "Slice": opset >= 10 ? [1, 2, 3, 4] : []
    case "Squeeze", "Unsqueeze", "Split": opset >= 13 ? [1] : []
    case "ReduceMean": opset >= 18 ? [1] : []
    case "Pad": opset >= 18 ? [1, 3] : (opset >= 11 ? [1] : [])
    case "Dropout": opset >= 12 ? [2] : []
    default: []
    }
  }
}
