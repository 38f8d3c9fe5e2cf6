import ResIR

/// ONNX LSTM, every attribute: directions, `layout`, `sequence_lens`, initial states, peepholes, `clip`,
/// `input_forget` and the gate functions f, g, h of each direction.
///
/// Per step, with gates ordered i, o, f, c in W, R and B, and peepholes i, o, f in P:
/// ```
/// i = f(clip(Wᵢx + Rᵢh + Wbᵢ + Rbᵢ + Pᵢ⊙c))
/// f = f(clip(W_f x + R_f h + Wb_f + Rb_f + P_f⊙c))      (1 − i with input_forget, as onnxruntime does)
/// ĉ = g(clip(W_c x + R_c h + Wb_c + Rb_c))
/// c = f⊙c + i⊙ĉ
/// o = f(clip(W_o x + R_o h + Wb_o + Rb_o + P_o⊙c))      (the new c)
/// h = o⊙h(c)
/// ```
/// `clip` bounds each gate's input, as ONNX says and onnxruntime does. A batch entry with a shorter
/// `sequence_lens` stops early: its Y rows past its length are 0 and Y_h, Y_c hold its last state. The
/// states are stored in the input's dtype between steps, as a float32 implementation stores them.
enum LSTM {
  static let defaultActivations: [RecurrentActivation] = [.sigmoid, .tanh, .tanh]

  static func evaluate(_ operands: NodeOperands, _ attributes: RecurrentAttributes) throws(EvaluationFailure)
    -> [ReferenceTensor]
  {
    let p = try RecurrentOperands(operands, attributes, gates: 4, defaults: defaultActivations)
    var peepholes = [Double](repeating: 0, count: p.directions * 3 * p.hidden)
    if operands.optional(7) != nil {
      peepholes = try RecurrentOperands.parameter(operands, 7, "P", [p.directions, 3 * p.hidden], p.dtype)
    }
    var hiddenState = try p.initialState(operands, 5, "initial_h")
    var cellState = try p.initialState(operands, 6, "initial_c")
    var y = [Double](repeating: 0, count: try ShapeArithmetic.elementCount(p.outputShape))
    for d in 0..<p.directions {
      for n in 0..<p.batch {
        let stateStart = p.stateOffset(direction: d, batch: n)
        var h = Array(hiddenState[stateStart..<(stateStart + p.hidden)])
        var c = Array(cellState[stateStart..<(stateStart + p.hidden)])
        for t in p.steps(direction: d, batch: n, attributes.direction) {
          step(p, attributes, peepholes, direction: d, input: p.inputOffset(step: t, batch: n), h: &h, c: &c)
          let outputStart = p.outputOffset(step: t, direction: d, batch: n)
          y.replaceSubrange(outputStart..<(outputStart + p.hidden), with: h)
        }
        hiddenState.replaceSubrange(stateStart..<(stateStart + p.hidden), with: h)
        cellState.replaceSubrange(stateStart..<(stateStart + p.hidden), with: c)
      }
    }
    return [
      ReferenceTensor(dtype: p.dtype, shape: p.outputShape, doubles: y),
      ReferenceTensor(dtype: p.dtype, shape: p.stateShape, doubles: hiddenState),
      ReferenceTensor(dtype: p.dtype, shape: p.stateShape, doubles: cellState),
    ]
  }

  /// One time step of one sequence: updates `h` and `c` in place (rounded to the dtype).
  private static func step(
    _ p: RecurrentOperands, _ attributes: RecurrentAttributes, _ peepholes: [Double], direction d: Int, input: Int,
    h: inout [Double], c: inout [Double]
  ) {
    let functions = p.activations[d]
    let (f, g, hFunction) = (functions[0], functions[1], functions[2])
    let rows = 4 * p.hidden
    /// The input of gate `gate` (0 i, 1 o, 2 f, 3 c) for hidden unit `j`, before the peephole.
    func gateInput(_ gate: Int, _ j: Int) -> Double {
      let row = gate * p.hidden + j
      let biasStart = d * 2 * rows
      let fromInput = RecurrentOperands.dot(
        p.w, direction: d, row: row, rows: rows, columns: p.inputSize, p.x, vectorOffset: input)
      let fromState = RecurrentOperands.dot(
        p.r, direction: d, row: row, rows: rows, columns: p.hidden, h, vectorOffset: 0)
      return fromInput + fromState + p.b[biasStart + row] + p.b[biasStart + rows + row]
    }
    let peephole = { (gate: Int, j: Int) in peepholes[(d * 3 + gate) * p.hidden + j] }
    var newC = c
    var newH = h
    for j in 0..<p.hidden {
      let inputGate = f.apply(RecurrentOperands.clipped(gateInput(0, j) + peephole(0, j) * c[j], attributes.clip))
      let forgetGate =
        attributes.inputForget
        ? 1 - inputGate
        : f.apply(RecurrentOperands.clipped(gateInput(2, j) + peephole(2, j) * c[j], attributes.clip))
      let candidate = g.apply(RecurrentOperands.clipped(gateInput(3, j), attributes.clip))
      newC[j] = ElementConversion.rounded(forgetGate * c[j] + inputGate * candidate, to: p.dtype)
      let outputGate = f.apply(RecurrentOperands.clipped(gateInput(1, j) + peephole(1, j) * newC[j], attributes.clip))
      newH[j] = ElementConversion.rounded(outputGate * hFunction.apply(newC[j]), to: p.dtype)
    }
    c = newC
    h = newH
  }
}
