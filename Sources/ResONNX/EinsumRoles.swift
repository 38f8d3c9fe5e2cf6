import ResIR

/// What each label of a two-operand einsum becomes in a MatMul `[batch…, M, K] × [batch…, K, N]`.
///
/// Each list is in the order the lowering lays the dimensions out: the output's order wherever the output
/// has the label (so the MatMul's result needs no Transpose when the output lists batch, M and N labels in
/// that order), the left operand's order for the contracted labels (which the output does not have).
struct EinsumRoles: Equatable {
  /// Labels the output keeps that both operands have, or that one operand's longer `...` adds: MatMul's batch
  /// dimensions. Those one operand lacks come first, so that operand's batch dimensions are the trailing ones
  /// and MatMul's right-aligned (numpy) broadcasting lines them up with the other operand's.
  var batch: [EinsumLabel]
  /// Labels both operands have and the output drops: summed over, MatMul's K.
  var contracted: [EinsumLabel]
  /// Letters only the left operand has, kept: MatMul's M.
  var leftKept: [EinsumLabel]
  /// Letters only the right operand has, kept: MatMul's N.
  var rightKept: [EinsumLabel]

  /// The roles of a two-operand equation's labels.
  /// - Precondition: `equation` has two operands.
  init(_ equation: EinsumEquation) throws(ModelError) {
    precondition(equation.operands.count == 2, "EinsumRoles classifies the labels of two operands")
    try equation.checkEverySumSpansTwoOperands()
    let left = Set(equation.operands[0])
    let right = Set(equation.operands[1])
    let output = Set(equation.output)
    func isShared(_ label: EinsumLabel) -> Bool { left.contains(label) && right.contains(label) }
    let batch = equation.output.filter { label in
      if case .ellipsis = label { return true }
      return isShared(label)
    }
    self.batch = batch.filter { !isShared($0) } + batch.filter(isShared)
    contracted = equation.operands[0].filter { isShared($0) && !output.contains($0) }
    leftKept = equation.output.filter { label in
      guard case .letter = label else { return false }
      return left.contains(label) && !right.contains(label)
    }
    rightKept = equation.output.filter { label in
      guard case .letter = label else { return false }
      return right.contains(label) && !left.contains(label)
    }
  }
}

extension EinsumEquation {
  /// Refuses a label that only one operand has and the output drops (`ij->i`, `ij,jk->k`): summing over it is a
  /// reduction, which no chain of Transpose, Reshape and MatMul computes. A label both operands have is summed
  /// by the MatMul's inner product.
  func checkEverySumSpansTwoOperands() throws(ModelError) {
    let kept = Set(output)
    for (position, labels) in operands.enumerated() {
      let others = Set(operands.enumerated().filter { $0.offset != position }.flatMap(\.element))
      guard let lone = labels.first(where: { !kept.contains($0) && !others.contains($0) }) else { continue }
      let absence = operands.count == 1 ? "is not in the output" : "is in neither the output nor another operand"
      throw Self.error(
        text, "a sum over a label of only one operand is not supported: \(lone) of operand \(position + 1) \(absence)")
    }
  }
}
