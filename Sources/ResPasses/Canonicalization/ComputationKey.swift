import ResIR

/// What a node computes, as a hashable key: two nodes with equal keys compute the same values, because every
/// op in the IR is a pure function of its attributes and operands.
///
/// The operands are the ones common subexpression elimination already resolved (a merged node's readers
/// name the surviving node's results). Operands of a commutative op are put in value order, so `Add(a, b)`
/// and `Add(b, a)` share a key; only ops where IEEE arithmetic makes the swap exact qualify (see
/// `Op.isCommutative`). Result types are part of the key, so two nodes whose recorded types differ (one
/// refined from a model's declarations, say) are never merged.
struct ComputationKey: Hashable {
  let op: Op
  let operands: [ValueID?]
  let resultTypes: [TensorType]

  init(op: Op, operands: [ValueID?], resultTypes: [TensorType]) {
    self.op = op
    self.operands = op.isCommutative ? operands.sorted { ($0?.index ?? -1) < ($1?.index ?? -1) } : operands
    self.resultTypes = resultTypes
  }

  /// Whether the two nodes' attributes are the same bit for bit. `Op`'s `==` compares floats by value, so
  /// `LeakyRelu(alpha: -0.0)` equals `LeakyRelu(alpha: 0.0)`, yet they give zeros of different signs; their
  /// descriptions differ. Called only when keys are equal, so the cost is paid per merge, not per node.
  static func sameAttributesBitwise(_ a: Op, _ b: Op) -> Bool {
    String(reflecting: a) == String(reflecting: b)
  }
}

extension Op {
  /// Whether swapping the two operands never changes a result (NaN payloads aside): IEEE addition and
  /// multiplication are commutative (unlike their associativity, which is why `Sum` of three operands is not
  /// listed), integer arithmetic wraps the same either way, and equality is symmetric. `Max`/`Min` are left
  /// out: which zero `max(-0.0, 0.0)` returns depends on the order.
  var isCommutative: Bool {
    switch self {
    case .binary(let op):
      switch op {
      case .add, .mul, .equal: true
      case .sub, .div, .pow, .mod, .compare, .prelu: false
      }
    case .conv, .gemm, .matMul, .batchNormalization, .layerNormalization, .scaleShift, .lrn, .unary, .clip, .variadic,
      .where, .gatedSkip, .cast, .maxPool, .averagePool, .globalAveragePool, .reduceMean, .reduce, .softmax, .flatten,
      .reshape, .transpose, .concat, .split, .slice, .squeeze, .unsqueeze, .gather, .shape, .expand, .constantOfShape,
      .pad, .range, .scatterND, .gatherElements, .cumSum, .trilu, .resize, .argReduce, .topK, .identity, .dropout,
      .lstm, .gru, .rnn:
      false
    }
  }
}
