import ResIR

/// What an ONNX `Einsum` becomes in the IR, which has no einsum op: decided from the equation and the operand
/// shapes alone, so every choice is testable without a graph.
///
/// One operand is a permutation of its labels (a Transpose, or nothing). Two operands are the general
/// contraction, a MatMul with Transposes and Reshapes around it. Three or more operands (a chain of
/// contractions whose cost depends on the order) are refused.
enum EinsumLowering: Equatable {
  /// One operand whose output lists its labels in their order: the result is the operand itself.
  case identity
  /// One operand whose output lists its labels in another order.
  case transpose(perm: [Int])
  /// Two operands.
  case contraction(EinsumContraction)

  /// - Parameter shapes: the operands' shapes; their ranks are the ones `equation` was parsed with.
  init(_ equation: EinsumEquation, shapes: [[Dim]]) throws(ModelError) {
    switch equation.operands.count {
    case 1:
      try equation.checkEverySumSpansTwoOperands()
      // Every label is kept and the output's are distinct and the operand's: the output is a permutation.
      let labels = equation.operands[0]
      let perm = equation.output.compactMap { labels.firstIndex(of: $0) }
      self = perm == Array(labels.indices) ? .identity : .transpose(perm: perm)
    case 2:
      self = .contraction(try EinsumContraction(equation, shapes: shapes))
    default:
      throw EinsumEquation.error(
        equation.text,
        "\(equation.operands.count) operands are not supported (one operand is a transpose, two a MatMul)")
    }
  }
}

/// A two-operand einsum as `MatMul([batch…, M, K], [batch…, K, N])`, numpy's matmul with broadcast batch
/// dimensions.
///
/// Each operand is transposed so its labels read batch, M, K (left) or batch, K, N (right), then reshaped so M,
/// K and N are one dimension each; the product `[batch…, M, N]` is reshaped to one dimension per label and
/// transposed to the output's order. An operand with no batch dimensions and no kept labels is a vector `[K]`,
/// which MatMul takes as such (`ij,j->i` needs no Reshape). A step that would change nothing is left out:
/// `bhqd,bhkd->bhqk` is one Transpose of the right operand and the MatMul.
///
/// Reshapes copy batch dimensions with `0`, so a symbolic batch survives; a group whose size is not a number
/// becomes the Reshape's one `-1`. Shape inference cannot name a product such as `N·3` (a `Dim` is a number or
/// a symbol), so a symbol grouped with other sizes comes back as an unknown dimension unless the model declares
/// the output's type; the plan binds it either way.
struct EinsumContraction: Equatable {
  enum Step: Equatable {
    case transpose(perm: [Int])
    /// The Reshape's shape operand: `0` keeps the dimension in place, `-1` is inferred.
    case reshape(shape: [Int])
  }

  /// What happens to the left operand before the MatMul.
  var left: [Step]
  /// What happens to the right operand before the MatMul.
  var right: [Step]
  /// What happens to the MatMul's result to give the output.
  var result: [Step]
}

extension EinsumContraction {
  init(_ equation: EinsumEquation, shapes: [[Dim]]) throws(ModelError) {
    let roles = try EinsumRoles(equation)
    let sizes = try Self.labelSizes(equation, shapes: shapes, batch: Set(roles.batch))
    let (leftLabels, rightLabels) = (equation.operands[0], equation.operands[1])
    let leftBatch = roles.batch.filter(leftLabels.contains)
    let rightBatch = roles.batch.filter(rightLabels.contains)
    let leftIsVector = leftBatch.isEmpty && roles.leftKept.isEmpty
    let rightIsVector = rightBatch.isEmpty && roles.rightKept.isEmpty
    let grouping = Grouping(equation: equation.text, sizes: sizes)
    left = try grouping.operandSteps(
      leftLabels, batch: leftBatch, groups: leftIsVector ? [roles.contracted] : [roles.leftKept, roles.contracted],
      operand: 1)
    right = try grouping.operandSteps(
      rightLabels, batch: rightBatch,
      groups: rightIsVector ? [roles.contracted] : [roles.contracted, roles.rightKept], operand: 2)
    let productGroups = (leftIsVector ? [] : [roles.leftKept]) + (rightIsVector ? [] : [roles.rightKept])
    result = try grouping.resultSteps(
      batch: roles.batch, groups: productGroups, kept: roles.leftKept + roles.rightKept, output: equation.output)
  }

  /// Each label's size, a number wherever one operand knows it. Two different numbers are an error, except a
  /// batch label's 1 on one side, which MatMul broadcasts as numpy does.
  private static func labelSizes(
    _ equation: EinsumEquation, shapes: [[Dim]], batch: Set<EinsumLabel>
  ) throws(ModelError) -> [EinsumLabel: Dim] {
    var sizes: [EinsumLabel: Dim] = [:]
    for (labels, shape) in zip(equation.operands, shapes) {
      for (label, dim) in zip(labels, shape) {
        switch (sizes[label]?.value, dim.value) {
        case (let first?, let second?):
          guard first == second || (batch.contains(label) && (first == 1 || second == 1)) else {
            throw EinsumEquation.error(
              equation.text, "label \(label) has size \(first) in operand 1 but \(second) in operand 2")
          }
          sizes[label] = .known(max(first, second))
        case (nil, _):
          // The first size seen, or one that may be a number where the other operand's was not.
          sizes[label] = dim
        case (.some, nil):
          break
        }
      }
    }
    return sizes
  }
}

/// How a contraction's Transposes and Reshapes are worked out for its labels' sizes.
private struct Grouping {
  let equation: String
  let sizes: [EinsumLabel: Dim]

  /// An operand transposed to `batch + groups…` and reshaped to `[batch…, one dimension per group]`.
  func operandSteps(
    _ labels: [EinsumLabel], batch: [EinsumLabel], groups: [[EinsumLabel]], operand: Int
  ) throws(ModelError) -> [EinsumContraction.Step] {
    let layout = batch + groups.joined()
    var steps: [EinsumContraction.Step] = []
    if let perm = Self.permutation(from: labels, to: layout) { steps.append(.transpose(perm: perm)) }
    if groups.contains(where: { $0.count != 1 }) {
      let purpose = "reshaping operand \(operand) for the MatMul"
      steps.append(.reshape(shape: try shape(copying: batch.count, groups: groups, purpose: purpose)))
    }
    return steps
  }

  /// The MatMul's result `[batch…, one dimension per group]` reshaped to `batch + kept` and transposed to
  /// `output`.
  func resultSteps(
    batch: [EinsumLabel], groups: [[EinsumLabel]], kept: [EinsumLabel], output: [EinsumLabel]
  ) throws(ModelError) -> [EinsumContraction.Step] {
    var steps: [EinsumContraction.Step] = []
    if groups.contains(where: { $0.count != 1 }) {
      let purpose = "reshaping the MatMul's result"
      steps.append(.reshape(shape: try shape(copying: batch.count, groups: kept.map { [$0] }, purpose: purpose)))
    }
    if let perm = Self.permutation(from: batch + kept, to: output) { steps.append(.transpose(perm: perm)) }
    return steps
  }

  /// The Transpose permutation that lays `labels` out as `layout`; nil when it is the identity.
  private static func permutation(from labels: [EinsumLabel], to layout: [EinsumLabel]) -> [Int]? {
    let perm = layout.compactMap { labels.firstIndex(of: $0) }
    return perm == Array(labels.indices) ? nil : perm
  }

  /// The Reshape's shape operand: `copied` zeros, then the product of each group's sizes. A group with a size
  /// that is not a number becomes `-1`, which a Reshape allows once.
  private func shape(copying copied: Int, groups: [[EinsumLabel]], purpose: String) throws(ModelError) -> [Int] {
    var shape = [Int](repeating: 0, count: copied)
    for group in groups {
      let known = group.compactMap { sizes[$0]?.value }
      shape.append(known.count == group.count ? known.reduce(1, *) : -1)
    }
    guard shape.filter({ $0 == -1 }).count <= 1 else {
      throw EinsumEquation.error(
        equation,
        "\(purpose) to \(groupsText(groups)) needs more than one size that is not a number, and a Reshape "
          + "infers only one")
    }
    return shape
  }

  /// `[a·b=N·3, c=4]`: groups and their sizes, as the error spells them.
  private func groupsText(_ groups: [[EinsumLabel]]) -> String {
    let texts = groups.map { group in
      let labels = group.map { label in
        if case .letter(let letter) = label { return String(letter) }
        return label.description
      }
      let dims = group.map { (sizes[$0] ?? .unknown).description }
      return group.isEmpty ? "1" : labels.joined(separator: "·") + "=" + dims.joined(separator: "·")
    }
    return "[" + texts.joined(separator: ", ") + "]"
  }
}
