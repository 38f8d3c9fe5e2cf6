import ResIR

/// One ONNX node while it is being converted: its proto, the name the IR will use, typed attributes and the
/// IR values of its inputs.
struct ONNXNode {
  let proto: Onnx_NodeProto
  let name: String
  let attributes: NodeAttributes
  /// One entry per ONNX input; nil where the input name is empty (an absent optional input).
  let operands: [ValueID?]
  /// The default-domain opset of the model: decides which version of the operator's schema applies.
  let opset: Int

  var opType: String { proto.opType }

  func error(_ message: String) -> ModelError {
    ModelError(node: name, opType: opType, message)
  }

  /// The input in `slot`, if the node lists one.
  func operand(_ slot: Int) -> ValueID? {
    slot < operands.count ? operands[slot] : nil
  }

  /// The input in `slot`, which the operator's schema requires.
  func requiredOperand(_ slot: Int, _ name: String) throws(ModelError) -> ValueID {
    guard let value = operand(slot) else { throw error("required input '\(name)' is missing") }
    return value
  }

  /// Rejects inputs beyond what this version of the operator takes. Conversions that turn inputs into
  /// attributes (or drop them) call this, because the IR's arity check only sees the operands they keep.
  func requireInputCount(atMost maximum: Int) throws(ModelError) {
    let listed = (operands.lastIndex { $0 != nil } ?? -1) + 1
    guard listed <= maximum else {
      throw error("has \(listed) inputs, at most \(maximum) expected at opset \(opset)")
    }
  }

  /// Rejects an attribute that older opsets had and `version` turned into an input: reading a newer model
  /// as if it were absent would silently change what the node computes.
  func rejectAttributes(_ names: [String], movedToInputsAt version: Int) throws(ModelError) {
    guard opset >= version, let name = names.first(where: attributes.has) else { return }
    throw error("attribute '\(name)' is an input from opset \(version) on")
  }

  /// The ONNX output name in `slot`, if listed and non-empty.
  func outputName(_ slot: Int) -> String? {
    slot < proto.output.count && !proto.output[slot].isEmpty ? proto.output[slot] : nil
  }
}

/// What a node becomes in the IR: an op and its operand slots.
struct Conversion {
  var op: Op
  var operands: [ValueID?]
  /// ONNX outputs that the conversion's earlier nodes produce rather than `op` (Attention's present_key), by
  /// output slot; each value already carries the ONNX output's name (`GraphBuilder.exposed`).
  var extraOutputs: [Int: ValueID] = [:]

  init(_ op: Op, _ operands: [ValueID?]) {
    self.op = op
    self.operands = operands
  }
}
