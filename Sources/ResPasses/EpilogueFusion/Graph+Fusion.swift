import ResIR

extension Graph {
  /// The edit every epilogue fusion makes: node `producer`, changed by `change` (which sets its new operands,
  /// epilogue and result), replaces node `last` — the end of the chain it absorbs — and the nodes in `absorbed`
  /// go.
  ///
  /// The fused node sits where `last` was, not where `producer` was: an operand it gains (a residual) may be
  /// computed between the two, and everything it reads was already computed before `producer`. Nothing else
  /// read the producer's old result (the patterns' guard), so topological order holds.
  mutating func fuse(
    _ producer: NodeID, into last: NodeID, absorbing absorbed: Set<NodeID> = [], _ change: (inout Node) -> Void
  ) {
    guard var fused = node(producer), node(last) != nil else { return }
    change(&fused)
    removeNodes(absorbed.union([producer]).subtracting([last]))
    replaceNode(last, with: fused)
  }
}

extension Node {
  /// Puts `value` in operand `slot`, adding absent slots before it (a Conv without bias has two operands).
  mutating func setOperand(_ slot: Int, to value: ValueID?) {
    while inputs.count <= slot { inputs.append(nil) }
    inputs[slot] = value
  }

  /// Changes the epilogue of a Conv, Gemm or MatMul node (the patterns only call it on those; other ops carry
  /// none and stay as they are).
  mutating func updateEpilogue(_ change: (inout Epilogue) -> Void) {
    guard var epilogue = op.epilogue else { return }
    change(&epilogue)
    op = op.replacingEpilogue(epilogue) ?? op
  }
}
