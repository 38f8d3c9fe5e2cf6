/// Finds the graph inputs whose values a static-shape program must know when it is compiled.
///
/// ONNX's node tests pass axes, pads and shapes as graph inputs, sometimes through arithmetic (a pad
/// computed as `(target - Shape(x)) / 2`); rescompile needs them as constants, so the test harness asks for
/// these names and binds them (`ONNXImportOptions.inputBindings`). The walk goes backwards from every such
/// operand through the nodes that compute it, stopping at `Shape`, whose result depends on its input's shape
/// but not on its values. Subgraphs count: a Loop's trip count is such an operand (the loop is unrolled), and
/// so is an operand of a node in a Loop's body; a control-flow node's value depends on what its subgraphs read.
enum ShapeOperandInputs {
  static func find(in graph: Onnx_GraphProto, opset: Int) -> [String] {
    let nodes = allNodes(of: graph)
    var producers: [String: Int] = [:]
    for (position, node) in nodes.enumerated() {
      for output in node.output where !output.isEmpty { producers[output] = position }
    }
    var pending: [String] = []
    for node in nodes where OpSupport.isDefaultDomain(node.domain) {
      for slot in slots(of: node.opType, opset: opset) where slot < node.input.count && !node.input[slot].isEmpty {
        pending.append(node.input[slot])
      }
    }
    var reached = Set<String>()
    while let name = pending.popLast() {
      guard reached.insert(name).inserted, let producer = producers[name] else { continue }
      let node = nodes[producer]
      guard node.opType != "Shape" else { continue }
      pending.append(contentsOf: node.input.filter { !$0.isEmpty })
      for inner in Subgraphs.of(node) { pending.append(contentsOf: inner.output.map(\.name)) }
    }
    let initializers = Set(graph.initializer.map(\.name))
    return graph.input.map(\.name).filter { reached.contains($0) && !initializers.contains($0) }
  }

  /// The nodes of `graph` and of its subgraphs at any depth: names are unique across scopes in the models
  /// exporters write, and a rare shadowed name only makes the walk ask for one input too many.
  private static func allNodes(of graph: Onnx_GraphProto) -> [Onnx_NodeProto] {
    graph.node.flatMap { node in [node] + Subgraphs.of(node).flatMap(allNodes) }
  }

  /// The input slots of `opType` at `opset` that decide an output shape or must be constant in the IR.
  static func slots(of opType: String, opset: Int) -> [Int] {
    switch opType {
    case "Reshape", "Expand": [1]
    case "ConstantOfShape": [0]
    case "Range": [0, 1, 2]
    case "CumSum", "Trilu", "Tile": [1]
    case "TopK": opset >= 10 ? [1] : []
    case "ConvTranspose": [1]
    case "Col2Im": [1, 2]
    case "OneHot": [1]
    case "Resize": opset >= 11 ? [1, 2, 3] : [1]
    case "Upsample": opset >= 9 ? [1] : []
    case "Slice": opset >= 10 ? [1, 2, 3, 4] : []
    case "Squeeze", "Unsqueeze", "Split": opset >= 13 ? [1] : []
    case "ReduceMean", "ReduceSumSquare", "ReduceL1", "ReduceL2", "ReduceMax", "ReduceMin", "ReduceProd",
      "ReduceLogSum", "ReduceLogSumExp":
      opset >= 18 ? [1] : []
    case "ReduceSum": opset >= 13 ? [1] : []
    case "Pad": opset >= 18 ? [1, 3] : (opset >= 11 ? [1] : [])
    case "Dropout": opset >= 12 ? [2] : []
    case "Loop": [0, 1]
    case "ReverseSequence", "SequenceAt", "SequenceErase", "SplitToSequence": [1]
    case "SequenceInsert": [2]
    default: []
    }
  }
}
