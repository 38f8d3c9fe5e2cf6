import ResIR

/// ONNX RNN (the plain, Elman layer), every attribute: directions, `layout`, `sequence_lens`, initial state,
/// `clip` and the gate function f of each direction.
///
/// Per step: `h = f(clip(W x + R h + Wb + Rb))`. Shorter `sequence_lens` and the stored state behave as for
/// `LSTM`.
enum RNN {
  static let defaultActivations: [RecurrentActivation] = [.tanh]

  static func evaluate(_ operands: NodeOperands, _ attributes: RecurrentAttributes) throws(EvaluationFailure)
    -> [ReferenceTensor]
  {
    let p = try RecurrentOperands(operands, attributes, gates: 1, defaults: defaultActivations)
    return try p.runHiddenStateCell(operands, attributes.direction) { d, input, h in
      step(p, attributes, direction: d, input: input, h: h)
    }
  }

  /// One time step of one sequence: the new hidden state, rounded to the dtype.
  private static func step(
    _ p: RecurrentOperands, _ attributes: RecurrentAttributes, direction d: Int, input: Int, h: [Double]
  ) -> [Double] {
    let f = p.activations[d][0]
    let rows = p.hidden
    let biasStart = d * 2 * rows
    return (0..<p.hidden).map { j in
      let fromInput =
        RecurrentOperands.dot(p.w, direction: d, row: j, rows: rows, columns: p.inputSize, p.x, vectorOffset: input)
        + p.b[biasStart + j]
      let fromState =
        RecurrentOperands.dot(p.r, direction: d, row: j, rows: rows, columns: p.hidden, h, vectorOffset: 0)
        + p.b[biasStart + rows + j]
      return ElementConversion.rounded(
        f.apply(RecurrentOperands.clipped(fromInput + fromState, attributes.clip)), to: p.dtype)
    }
  }
}
