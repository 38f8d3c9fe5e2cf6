import ResIR

/// ONNX `Einsum`, lowered to the IR's Transpose, Reshape and MatMul (`EinsumLowering`): the IR keeps no einsum
/// op, so every pass and kernel that knows MatMul (epilogue fusion, transposed operands read in place, the
/// reference evaluator) serves attention written as an einsum unchanged.
///
/// The chain is appended node by node, each typed by shape inference before the next is built, except the
/// last, which is returned as the conversion: `importNode` appends it under the ONNX node's name and binds its
/// result to the node's output like any other operator's. The nodes before it are named after the ONNX node
/// (`<node>.transpose_b`, `<node>.matmul`).
extension GraphBuilder {
  mutating func convertEinsum(_ node: ONNXNode) throws(ModelError) -> Conversion {
    guard let text = try node.attributes.string("equation") else { throw node.attributes.missing("equation") }
    let operands = try einsumOperands(node)
    let lowering: EinsumLowering
    do {
      let equation = try EinsumEquation(text, operandRanks: operands.map { rank(of: $0) })
      lowering = try EinsumLowering(equation, shapes: operands.map { graph.type(of: $0).shape })
    } catch {
      throw node.error(error.message)
    }
    switch lowering {
    case .identity: return Conversion(.identity, operands)
    case .transpose(let perm): return Conversion(.transpose(perm: perm), operands)
    case .contraction(let contraction): return try convertContraction(contraction, operands, node)
    }
  }

  /// Every input: Einsum has no optional ones.
  private func einsumOperands(_ node: ONNXNode) throws(ModelError) -> [ValueID] {
    guard !node.operands.isEmpty else { throw node.error("Einsum needs at least one input") }
    var operands: [ValueID] = []
    for slot in node.operands.indices {
      operands.append(try node.requiredOperand(slot, "Inputs #\(slot)"))
    }
    return operands
  }

  /// Appends the operands' steps and, when the result needs steps of its own, the MatMul and all of them but
  /// the last; returns the last.
  private mutating func convertContraction(
    _ contraction: EinsumContraction, _ operands: [ValueID], _ node: ONNXNode
  ) throws(ModelError) -> Conversion {
    let left = try appendSteps(contraction.left, to: operands[0], role: "a", node)
    let right = try appendSteps(contraction.right, to: operands[1], role: "b", node)
    let product = Conversion(.matMul(.none), [left, right])
    guard let last = contraction.result.last else { return product }
    let result = try appendSteps(
      contraction.result.dropLast(), to: try appendTyped(product, named: "\(node.name).matmul"), role: "output", node)
    return conversion(of: last, on: result, named: "\(node.name).\(last.kind)_output")
  }

  /// Appends `steps` applied to `value`, one typed node each (`<node>.transpose_a`...); returns the last result.
  private mutating func appendSteps(
    _ steps: some Sequence<EinsumContraction.Step>, to value: ValueID, role: String, _ node: ONNXNode
  ) throws(ModelError) -> ValueID {
    var current = value
    for step in steps {
      let name = "\(node.name).\(step.kind)_\(role)"
      current = try appendTyped(conversion(of: step, on: current, named: name), named: name)
    }
    return current
  }

  /// The Transpose, or the Reshape with its shape operand (a constant `<name>.shape`), of one step.
  private mutating func conversion(
    of step: EinsumContraction.Step, on value: ValueID, named name: String
  ) -> Conversion {
    switch step {
    case .transpose(let perm): return Conversion(.transpose(perm: perm), [value])
    case .reshape(let shape):
      return Conversion(.reshape(allowZero: false), [value, addIntegers(shape, named: name + ".shape")])
    }
  }
}

extension EinsumContraction.Step {
  /// `transpose` or `reshape`: the middle of the names of the nodes the step becomes.
  fileprivate var kind: String {
    switch self {
    case .transpose: "transpose"
    case .reshape: "reshape"
    }
  }
}
