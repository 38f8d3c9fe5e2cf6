extension Node {
  /// Checks the node's shape against its op's schema: operand and result counts, required operands present,
  /// and every value ID inside the graph's table. Inference runs it before reading any operand (so that a
  /// malformed node is an error, not an out-of-bounds trap), and the verifier runs it as its first node check.
  func checkStructure(valueCount: Int) throws(ModelError) {
    let arity = op.operandArity
    if let maximum = arity.maximum, inputs.count > maximum {
      throw ModelError(self, "has \(inputs.count) operands, at most \(maximum) allowed")
    }
    if inputs.count < arity.required {
      throw ModelError(self, "has \(inputs.count) operands, at least \(arity.required) required")
    }
    let requiredSlots = arity.maximum == nil ? inputs.count : arity.required
    for slot in 0..<requiredSlots where inputs[slot] == nil {
      throw ModelError(self, "operand \(slot + 1) is required but absent")
    }
    if op.addsResidual && input(Op.residualSlot) == nil {
      let adder = op.epilogue == nil ? "adds" : "epilogue adds"
      throw ModelError(self, "\(adder) a residual but operand \(Op.residualSlot + 1) is absent")
    }
    if op.prologue != nil {
      for slot in [Op.inputScaleSlot, Op.inputShiftSlot] where input(slot) == nil {
        throw ModelError(self, "prologue scales and shifts its input but operand \(slot + 1) is absent")
      }
    }
    if outputs.count != op.resultCount {
      throw ModelError(self, "has \(outputs.count) results, expected \(op.resultCount)")
    }
    for (slot, value) in inputs.enumerated() {
      if let value, !(0..<valueCount).contains(value.index) {
        throw ModelError(self, "operand \(slot + 1) refers to \(value), which does not exist")
      }
    }
    for (index, value) in outputs.enumerated() where !(0..<valueCount).contains(value.index) {
      throw ModelError(self, "result \(index + 1) refers to \(value), which does not exist")
    }
  }
}
