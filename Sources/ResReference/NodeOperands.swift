/// The operand tensors of one node, by slot, with the checks every kernel needs to read them.
struct NodeOperands {
  /// One entry per operand slot; `nil` for an absent optional operand.
  var slots: [ReferenceTensor?]

  /// The operand in `slot`, which the op requires; `role` names it in messages (ONNX's input name: `X`, `W`).
  func required(_ slot: Int, _ role: String) throws(EvaluationFailure) -> ReferenceTensor {
    guard let tensor = optional(slot) else { throw EvaluationFailure("operand \(role) (slot \(slot)) is missing") }
    return tensor
  }

  func optional(_ slot: Int) -> ReferenceTensor? {
    slot < slots.count ? slots[slot] : nil
  }

  /// The operands that are present, in slot order (the inputs of variadic ops).
  var present: [ReferenceTensor] { slots.compactMap { $0 } }
}
