import ResKernels
import ResPlan

/// The gate arithmetic of one LSTM or GRU time step (ONNX's equations), given the input projection rows
/// and `h·Rᵀ + Rb` for the batch. Gate functions come per direction; a clip threshold is applied to every
/// gate's pre-activation, as onnxruntime does.
struct RecurrentCell: Sendable {
  enum Kind: Sendable {
    case lstm(inputForget: Bool)
    case gru(linearBeforeReset: Bool)
  }

  let kind: Kind
  let hiddenSize: Int
  let gateWidth: Int
  /// Per direction: LSTM f, g, h; GRU f, g.
  let functions: [[PointwiseFunction]]
  let clip: PointwiseFunction?
  let shape: RecurrentShape

  init(_ params: Rescompile_Plan_RecurrentParams, _ shape: RecurrentShape, _ operands: StepOperands)
    throws(RuntimeError)
  {
    self.shape = shape
    hiddenSize = shape.hiddenSize
    gateWidth = shape.gateWidth
    let isLSTM = shape.gateCount == 4
    kind = isLSTM ? .lstm(inputForget: params.inputForget) : .gru(linearBeforeReset: params.linearBeforeReset)
    let perDirection = isLSTM ? 3 : 2
    let defaults: [PointwiseFunction] = isLSTM ? [.sigmoid, .tanh, .tanh] : [.sigmoid, .tanh]
    var listed: [PointwiseFunction] = []
    for activation in params.activations { listed.append(try PointwiseFunction(activation, operands)) }
    switch listed.count {
    case 0: functions = [[PointwiseFunction]](repeating: defaults, count: shape.directions)
    case perDirection: functions = [[PointwiseFunction]](repeating: listed, count: shape.directions)
    case perDirection * shape.directions:
      functions = (0..<shape.directions).map { Array(listed[($0 * perDirection)..<(($0 + 1) * perDirection)]) }
    default:
      throw operands.failure(
        "lists \(listed.count) activations, expected 0, \(perDirection) or \(perDirection * shape.directions)")
    }
    if params.hasClip_p {
      guard params.clip >= 0 else { throw operands.failure("clip \(params.clip) must be a non-negative number") }
      clip = .clip(min: -params.clip, max: params.clip)
    } else {
      clip = nil
    }
  }

  /// Advances the batch entries in `active` (each at its own time step) by one step; the others keep their
  /// state.
  func step(
    active: [(batch: Int, time: Int)], direction: Int, scratch: RecurrentScratch, weights: RecurrentWeights,
    context: RunContext
  ) {
    recurrentProjection(
      scratch.hidden, weights: weights.recurrent, panels: weights.panels?.gates, bias: weights.recurrentBias,
      columns: gateWidth, into: scratch.recurrentGates, context)
    let functions = functions[direction]
    switch kind {
    case .lstm(let inputForget):
      for (batch, time) in active {
        lstm(batch: batch, time: time, functions, inputForget: inputForget, scratch, weights)
      }
    case .gru(let linearBeforeReset):
      for (batch, time) in active {
        gruGates(batch: batch, time: time, functions, linearBeforeReset: linearBeforeReset, scratch)
      }
      if !linearBeforeReset {
        // (r ⊙ h)·Rhᵀ + Rbh for the whole batch, now that every r is known.
        recurrentProjection(
          scratch.resetHidden, weights: weights.recurrent + 2 * hiddenSize * hiddenSize,
          panels: weights.panels?.candidate, bias: weights.recurrentBias.map { $0 + 2 * hiddenSize },
          columns: hiddenSize, into: scratch.candidate, context)
      }
      for (batch, time) in active {
        gruOutput(batch: batch, time: time, functions, linearBeforeReset: linearBeforeReset, scratch)
      }
    }
  }

  /// `output[b] = state[b]·Wᵀ + bias` for every batch entry, `W` being `columns × hiddenSize` (read from
  /// `panels` when R was packed at load).
  private func recurrentProjection(
    _ state: UnsafeMutablePointer<Float>, weights: UnsafePointer<Float>, panels: PackedPanels?,
    bias: UnsafePointer<Float>?, columns: Int, into output: UnsafeMutablePointer<Float>, _ context: RunContext
  ) {
    var epilogue = MatrixEpilogue()
    if let bias {
      epilogue.bias = bias
      epilogue.biasColumnStride = 1
    }
    let a = GemmA.strided(UnsafePointer(state), rowStride: hiddenSize, depthStride: 1)
    let scratch = context.scratchFloats(worker: 0)
    if let panels, shape.batch == 1 {
      // One state row: the one-row kernel, panel by panel (the six-row tile would sum the row six times).
      let kernel = MicrokernelRegistry.gemmRow
      var column = 0
      var panel = 0
      while column < columns {
        kernel.run(
          GemmTile(
            depth: hiddenSize, a: UnsafePointer(state), aRowStride: hiddenSize, b: panels.panel(panel),
            c: output + column, cRowStride: columns, rows: 1, columns: min(kernel.nr, columns - column),
            accumulate: false, epilogue: epilogue.tile(row: 0, column: column)))
        column += kernel.nr
        panel += 1
      }
    } else if let panels {
      GemmDriver.run(
        k: hiddenSize, a: a, b: PrepackedPanels(packed: panels), c: output, cRowStride: columns, epilogue: epilogue,
        rows: 0..<shape.batch, columns: 0..<columns, scratch: scratch)
    } else {
      GemmDriver.run(
        k: hiddenSize, a: a, b: StridedPanels(base: weights, depthStride: 1, columnStride: hiddenSize), c: output,
        cRowStride: columns, epilogue: epilogue, rows: 0..<shape.batch, columns: 0..<columns, scratch: scratch)
    }
  }

  /// Loads `gates = X·Wᵀ + Wb + h·Rᵀ + Rb` for one batch entry.
  private func preactivations(batch: Int, time: Int, _ scratch: RecurrentScratch) -> UnsafeMutablePointer<Float> {
    let gates = scratch.gates + batch * gateWidth
    let input = scratch.inputGates + shape.projectionRow(time: time, batch: batch) * gateWidth
    let recurrent = scratch.recurrentGates + batch * gateWidth
    for index in 0..<gateWidth { gates[index] = input[index] + recurrent[index] }
    return gates
  }

  /// Applies the clip (if any) and then `function` to `count` values in place.
  private func activate(_ values: UnsafeMutablePointer<Float>, count: Int, _ function: PointwiseFunction) {
    if let clip { clip.apply(values, values, count: count) }
    function.apply(values, values, count: count)
  }

  /// LSTM, gates in ONNX order i, o, f, c:
  /// `i = f(Xi + Hi + Pi⊙c)`, `f = f(Xf + Hf + Pf⊙c)` (or `1 − i` with input_forget), `c̃ = g(Xc + Hc)`,
  /// `C = f⊙c + i⊙c̃`, `o = f(Xo + Ho + Po⊙C)`, `H = o⊙h(C)`.
  private func lstm(
    batch: Int, time: Int, _ functions: [PointwiseFunction], inputForget: Bool, _ scratch: RecurrentScratch,
    _ weights: RecurrentWeights
  ) {
    let size = hiddenSize
    let gates = preactivations(batch: batch, time: time, scratch)
    let (inputGate, outputGate, forgetGate, candidate) = (gates, gates + size, gates + 2 * size, gates + 3 * size)
    let cellState = scratch.cellState + batch * size
    let hidden = scratch.hidden + batch * size
    if let peepholes = weights.peepholes {
      for j in 0..<size {
        inputGate[j] += peepholes[j] * cellState[j]
        forgetGate[j] += peepholes[2 * size + j] * cellState[j]
      }
    }
    activate(inputGate, count: size, functions[0])
    activate(forgetGate, count: size, functions[0])
    activate(candidate, count: size, functions[1])
    if inputForget {
      for j in 0..<size { forgetGate[j] = 1 - inputGate[j] }
    }
    for j in 0..<size { cellState[j] = forgetGate[j] * cellState[j] + inputGate[j] * candidate[j] }
    if let peepholes = weights.peepholes {
      for j in 0..<size { outputGate[j] += peepholes[size + j] * cellState[j] }
    }
    activate(outputGate, count: size, functions[0])
    // h(C) into the candidate slot, which is no longer needed.
    functions[2].apply(cellState, candidate, count: size)
    for j in 0..<size { hidden[j] = outputGate[j] * candidate[j] }
  }

  /// GRU, first half: `z = f(Xz + Hz)`, `r = f(Xr + Hr)`; then either the candidate's pre-activation
  /// `Xh + r⊙(h·Rhᵀ + Rbh)` (linear_before_reset) or `r⊙h` for the second projection.
  private func gruGates(
    batch: Int, time: Int, _ functions: [PointwiseFunction], linearBeforeReset: Bool, _ scratch: RecurrentScratch
  ) {
    let size = hiddenSize
    let gates = preactivations(batch: batch, time: time, scratch)
    activate(gates, count: 2 * size, functions[0])
    let (update, reset, candidate) = (gates, gates + size, gates + 2 * size)
    let hidden = scratch.hidden + batch * size
    (scratch.update + batch * size).update(from: update, count: size)
    if linearBeforeReset {
      let input = scratch.inputGates + shape.projectionRow(time: time, batch: batch) * gateWidth + 2 * size
      let recurrent = scratch.recurrentGates + batch * gateWidth + 2 * size
      for j in 0..<size { candidate[j] = input[j] + reset[j] * recurrent[j] }
    } else {
      let resetHidden = scratch.resetHidden + batch * size
      for j in 0..<size { resetHidden[j] = reset[j] * hidden[j] }
    }
  }

  /// GRU, second half: `h̃ = g(candidate)`, `H = (1 − z)⊙h̃ + z⊙h`.
  private func gruOutput(
    batch: Int, time: Int, _ functions: [PointwiseFunction], linearBeforeReset: Bool, _ scratch: RecurrentScratch
  ) {
    let size = hiddenSize
    let candidate = scratch.gates + batch * gateWidth + 2 * size
    if !linearBeforeReset {
      let input = scratch.inputGates + shape.projectionRow(time: time, batch: batch) * gateWidth + 2 * size
      let projected = scratch.candidate + batch * size
      for j in 0..<size { candidate[j] = input[j] + projected[j] }
    }
    activate(candidate, count: size, functions[1])
    let update = scratch.update + batch * size
    let hidden = scratch.hidden + batch * size
    for j in 0..<size { hidden[j] = (1 - update[j]) * candidate[j] + update[j] * hidden[j] }
  }
}
