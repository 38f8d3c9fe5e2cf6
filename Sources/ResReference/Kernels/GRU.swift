import ResIR

/// ONNX GRU, every attribute: directions, `layout`, `sequence_lens`, initial state, `clip`,
/// `linear_before_reset` and the gate functions f, g of each direction.
///
/// Per step, with gates ordered z, r, h in W, R and B:
/// ```
/// z = f(clip(W_z x + R_z h + Wb_z + Rb_z))
/// r = f(clip(W_r x + R_r h + Wb_r + Rb_r))
/// ĥ = g(clip(W_h x + R_h(r⊙h) + Rb_h + Wb_h))            (linear_before_reset = 0)
/// ĥ = g(clip(W_h x + r⊙(R_h h + Rb_h) + Wb_h))           (linear_before_reset = 1)
/// h = (1 − z)⊙ĥ + z⊙h
/// ```
/// Shorter `sequence_lens` and the stored state behave as for `LSTM`.
enum GRU {
  static let defaultActivations: [RecurrentActivation] = [.sigmoid, .tanh]

  static func evaluate(_ operands: NodeOperands, _ attributes: RecurrentAttributes) throws(EvaluationFailure)
    -> [ReferenceTensor]
  {
    let p = try RecurrentOperands(operands, attributes, gates: 3, defaults: defaultActivations)
    return try p.runHiddenStateCell(operands, attributes.direction) { d, input, h in
      step(p, attributes, direction: d, input: input, h: h)
    }
  }

  /// One time step of one sequence: the new hidden state, rounded to the dtype.
  private static func step(
    _ p: RecurrentOperands, _ attributes: RecurrentAttributes, direction d: Int, input: Int, h: [Double]
  ) -> [Double] {
    let (f, g) = (p.activations[d][0], p.activations[d][1])
    let rows = 3 * p.hidden
    let biasStart = d * 2 * rows
    /// `W x + Wb` and `R v + Rb` for gate `gate` (0 z, 1 r, 2 h) of hidden unit `j`.
    func fromInput(_ gate: Int, _ j: Int) -> Double {
      let row = gate * p.hidden + j
      return RecurrentOperands.dot(
        p.w, direction: d, row: row, rows: rows, columns: p.inputSize, p.x, vectorOffset: input)
        + p.b[biasStart + row]
    }
    func fromState(_ gate: Int, _ j: Int, _ v: [Double]) -> Double {
      let row = gate * p.hidden + j
      return RecurrentOperands.dot(p.r, direction: d, row: row, rows: rows, columns: p.hidden, v, vectorOffset: 0)
        + p.b[biasStart + rows + row]
    }
    let clip = { (x: Double) in RecurrentOperands.clipped(x, attributes.clip) }
    let update = (0..<p.hidden).map { j in f.apply(clip(fromInput(0, j) + fromState(0, j, h))) }
    let reset = (0..<p.hidden).map { j in f.apply(clip(fromInput(1, j) + fromState(1, j, h))) }
    let resetState = zip(reset, h).map { $0 * $1 }
    return (0..<p.hidden).map { j in
      let candidate =
        attributes.linearBeforeReset
        ? g.apply(clip(fromInput(2, j) + reset[j] * fromState(2, j, h)))
        : g.apply(clip(fromInput(2, j) + fromState(2, j, resetState)))
      return ElementConversion.rounded((1 - update[j]) * candidate + update[j] * h[j], to: p.dtype)
    }
  }
}
