import ResIR

/// One evaluation of a graph: the tensors computed so far and how many reads each still has ahead.
///
/// Nodes run one after another in the graph's (topological) order: a loop, never recursion, so a chain of
/// 10,000 nodes is no deeper than one. Unless the caller wants every value, a tensor is dropped after its
/// last read, so a ResNet keeps only the activations still ahead of it alive, and a constant is converted to
/// a tensor at its first read and dropped after its last.
struct EvaluationRun {
  private let graph: Graph
  private let keepsEverything: Bool
  /// By `ValueID.index`: graph inputs, node results and (while still needed) constants.
  private var values: [ReferenceTensor?]
  private var remainingReads: [Int]
  private let isGraphOutput: [Bool]
  private var conformance = TypeConformance()

  init(_ graph: Graph, inputs: [String: ReferenceTensor], keepsEverything: Bool) throws(ModelError) {
    self.graph = graph
    self.keepsEverything = keepsEverything
    values = Array(repeating: nil, count: graph.values.count)
    remainingReads = Array(repeating: 0, count: graph.values.count)
    var outputs = Array(repeating: false, count: graph.values.count)
    for output in graph.outputs where graph.values.indices.contains(output.index) { outputs[output.index] = true }
    isGraphOutput = outputs
    for node in graph.nodes {
      for input in node.presentInputs where graph.values.indices.contains(input.index) {
        remainingReads[input.index] += 1
      }
    }
    try bindInputs(inputs)
  }

  // MARK: - Running

  mutating func run() throws(ModelError) {
    for node in graph.nodes {
      try evaluate(node)
    }
  }

  /// The graph's outputs, in order.
  func outputs() throws(ModelError) -> [ReferenceTensor] {
    var results: [ReferenceTensor] = []
    for output in graph.outputs {
      guard graph.values.indices.contains(output.index) else {
        throw ModelError("graph output \(output) is not a value of the graph")
      }
      if let tensor = values[output.index] {
        results.append(tensor)
      } else if let constant = graph.constant(output) {
        results.append(ReferenceTensor(constant: constant))
      } else {
        throw ModelError("graph output '\(graph[output].name)' is never computed")
      }
    }
    return results
  }

  /// Every graph input and node result, by value (constants are not computed, so they are not listed).
  func computedValues() -> [ValueID: ReferenceTensor] {
    var result: [ValueID: ReferenceTensor] = [:]
    for (index, tensor) in values.enumerated() where graph.values[index].constant == nil {
      if let tensor { result[ValueID(index)] = tensor }
    }
    return result
  }

  // MARK: - One node

  private mutating func evaluate(_ node: Node) throws(ModelError) {
    let operands = try gatherOperands(node)
    let results: [ReferenceTensor]
    do throws(EvaluationFailure) {
      results = try node.op.evaluate(operands)
      guard results.count == node.outputs.count else {
        throw EvaluationFailure(
          "the node lists \(node.outputs.count) results, but \(node.op.onnxName) has \(results.count)")
      }
      for (value, tensor) in zip(node.outputs, results) {
        guard graph.values.indices.contains(value.index) else {
          throw EvaluationFailure("result \(value) is not a value of the graph")
        }
        guard ShapeArithmetic.product(tensor.shape) == tensor.elementCount else {
          throw EvaluationFailure("the evaluator built a malformed result (a bug in ResReference)")
        }
        try conformance.check(tensor, against: graph.type(of: value), what: "result '\(graph[value].name)'")
      }
    } catch {
      throw ModelError(node, error.message)
    }
    for (value, tensor) in zip(node.outputs, results) {
      values[value.index] = tensor
      releaseIfUnread(value)
    }
    for input in node.presentInputs {
      remainingReads[input.index] -= 1
      releaseIfUnread(input)
    }
  }

  /// The node's operands by slot, after checking the slot count against the op and that every operand exists.
  private mutating func gatherOperands(_ node: Node) throws(ModelError) -> NodeOperands {
    let arity = node.op.operandArity
    guard node.inputs.count >= arity.required, node.inputs.count <= arity.maximum ?? Int.max else {
      let expected =
        arity.maximum.map { $0 == arity.required ? "\($0)" : "\(arity.required) to \($0)" }
        ?? "at least \(arity.required)"
      throw ModelError(node, "has \(node.inputs.count) operand slots, expected \(expected)")
    }
    var slots: [ReferenceTensor?] = []
    for (slot, input) in node.inputs.enumerated() {
      guard let input else {
        guard slot >= arity.required else { throw ModelError(node, "required operand slot \(slot) is empty") }
        slots.append(nil)
        continue
      }
      slots.append(try read(input, by: node, slot: slot))
    }
    return NodeOperands(slots: slots)
  }

  /// The tensor of `value`, converting a constant at its first read.
  private mutating func read(_ value: ValueID, by node: Node, slot: Int) throws(ModelError) -> ReferenceTensor {
    guard graph.values.indices.contains(value.index) else {
      throw ModelError(node, "operand slot \(slot) refers to \(value), which is not a value of the graph")
    }
    if let tensor = values[value.index] { return tensor }
    if let constant = graph.constant(value) {
      let tensor = ReferenceTensor(constant: constant)
      values[value.index] = tensor
      return tensor
    }
    throw ModelError(node, "operand '\(graph[value].name)' (slot \(slot)) is read before any node computes it")
  }

  private mutating func releaseIfUnread(_ value: ValueID) {
    guard !keepsEverything, remainingReads[value.index] <= 0, !isGraphOutput[value.index] else { return }
    values[value.index] = nil
  }

  // MARK: - Inputs

  /// Checks the caller's tensors against the graph's inputs (every input given, no unknown name, each tensor
  /// well formed and of the declared type) and stores them.
  private mutating func bindInputs(_ inputs: [String: ReferenceTensor]) throws(ModelError) {
    let declared = graph.inputs.map { graph[$0].name }
    for name in inputs.keys.sorted() where !declared.contains(name) {
      throw ModelError("'\(name)' is not an input of the graph (its inputs: \(declared.joined(separator: ", ")))")
    }
    for input in graph.inputs {
      guard graph.values.indices.contains(input.index) else {
        throw ModelError("graph input \(input) is not a value of the graph")
      }
      let name = graph[input].name
      guard let given = inputs[name] else { throw ModelError("input '\(name)' is missing") }
      do throws(EvaluationFailure) {
        let tensor = try InputValidation.normalized(given, what: "input '\(name)'")
        try conformance.check(tensor, against: graph.type(of: input), what: "input '\(name)'")
        values[input.index] = tensor
      } catch {
        throw ModelError(error.message)
      }
    }
  }
}
