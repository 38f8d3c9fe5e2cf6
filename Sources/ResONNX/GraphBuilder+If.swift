import ResIR

/// ONNX If, without control flow in the plan.
///
/// When the condition is known while compiling (exporters compute it from shapes and constants: "is the
/// input already 4-D", "does the grid need a batch axis"), only the branch it selects is imported. When it
/// depends on the model's input values, both branches are imported and each output becomes
/// `Where(cond, then, else)`: a branch has no side effects, so computing both gives the same result, and the
/// plan stays static. That needs each output to have one type whichever branch runs; when the branches'
/// types differ the result's shape would depend on the data, which a static plan cannot have, and the node is
/// refused.
extension GraphBuilder {
  mutating func importIf(_ node: ONNXNode) throws(ModelError) {
    let condition = try node.requiredOperand(0, "cond")
    try node.requireInputCount(atMost: 1)
    let branches = (
      then: try node.attributes.requiredGraph("then_branch"), otherwise: try node.attributes.requiredGraph("else_branch")
    )
    for (attribute, branch) in [("then_branch", branches.then), ("else_branch", branches.otherwise)] {
      guard branch.input.isEmpty else { throw node.error("\(attribute) has inputs; If's branches take none") }
      guard node.proto.output.count <= branch.output.count else {
        throw node.error("has \(node.proto.output.count) outputs, but \(attribute) gives \(branch.output.count)")
      }
    }
    guard branches.then.output.count == branches.otherwise.output.count else {
      throw node.error(
        "then_branch gives \(branches.then.output.count) outputs, else_branch \(branches.otherwise.output.count)")
    }
    let results: [NamedValue]
    if let holds = try knownCondition(condition, of: node, "the condition") {
      let (attribute, branch) = holds ? ("then_branch", branches.then) : ("else_branch", branches.otherwise)
      results = try importBranch(branch, attribute, of: node)
      reportControlFlow("condition known when compiling (\(holds)): \(attribute) imported", of: node)
    } else {
      let taken = try importBranch(branches.then, "then_branch", of: node)
      let otherwise = try importBranch(branches.otherwise, "else_branch", of: node)
      results = try selected(taken, otherwise, by: condition, of: node).map(NamedValue.tensor)
      reportControlFlow("condition depends on the input values: both branches computed, Where selects", of: node)
    }
    for (slot, value) in results.enumerated() { try setOutput(value, slot: slot, of: node) }
  }

  private mutating func importBranch(_ branch: Onnx_GraphProto, _ attribute: String, of node: ONNXNode)
    throws(ModelError) -> [NamedValue]
  {
    let subgraph = try subgraph(branch, attribute: attribute, of: node)
    return try importCopy(of: subgraph, inputs: [], instance: "\(node.name)/\(attribute)", owner: node)
  }

  /// `Where(cond, then, else)` per output, the condition made a scalar so it broadcasts to any shape.
  private mutating func selected(
    _ takenValues: [NamedValue], _ otherwiseValues: [NamedValue], by condition: ValueID, of node: ONNXNode
  ) throws(ModelError) -> [ValueID] {
    var taken: [ValueID] = []
    var otherwise: [ValueID] = []
    for (slot, (a, b)) in zip(takenValues, otherwiseValues).enumerated() {
      let role = "output #\(slot) (the condition is not known when compiling, so both branches are computed)"
      taken.append(try tensor(a, role + " of then_branch", of: node))
      otherwise.append(try tensor(b, role + " of else_branch", of: node))
    }
    for (slot, (a, b)) in zip(taken, otherwise).enumerated() where graph.type(of: a) != graph.type(of: b) {
      throw node.error(
        "the condition is not known when compiling, and output #\(slot) is \(graph.type(of: a)) in then_branch "
          + "but \(graph.type(of: b)) in else_branch: a static plan needs one type whichever branch runs")
    }
    var scalar = condition
    if graph.type(of: condition).rank > 0 {
      let shape = addGeneratedConstant("\(node.name)/scalar_shape", Constant(int64s: [], dims: [0]))
      scalar = try step(.reshape(allowZero: false), [condition, shape], "condition", of: node)
    }
    var results: [ValueID] = []
    for (slot, (a, b)) in zip(taken, otherwise).enumerated() {
      results.append(try step(.where, [scalar, a, b], "select\(slot)", of: node))
    }
    return results
  }
}
