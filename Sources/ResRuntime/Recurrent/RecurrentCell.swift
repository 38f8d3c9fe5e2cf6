import ResKernels
import ResPlan

/// The gate arithmetic of one LSTM, GRU or RNN time step (ONNX's equations), given the input projection rows
/// and `h·Rᵀ + Rb` for the batch. Gate functions come per direction; a clip threshold is applied to every
/// gate's pre-activation, as onnxruntime does.
struct RecurrentCell: Sendable {
  enum Kind: Sendable {
    case lstm(inputForget: Bool)
    case gru(linearBeforeReset: Bool)
    case rnn
  }

  let kind: Kind
  let hiddenSize: Int
  let gateWidth: Int
  /// Per direction: LSTM f, g, h; GRU f, g; RNN f.
  let functions: [[PointwiseFunction]]
  let clip: PointwiseFunction?
  let shape: RecurrentShape

  init(_ params: Rescompile_Plan_RecurrentParams, _ shape: RecurrentShape, _ operands: StepOperands)
    throws(RuntimeError)
  {
    self.shape = shape
    hiddenSize = shape.hiddenSize
    gateWidth = shape.gateWidth
    let defaults: [PointwiseFunction]
    switch shape.gateCount {
    case 4:
      kind = .lstm(inputForget: params.inputForget)
      defaults = [.sigmoid, .tanh, .tanh]
    case 3:
      kind = .gru(linearBeforeReset: params.linearBeforeReset)
      defaults = [.sigmoid, .tanh]
    default:
      kind = .rnn
      defaults = [.tanh]
    }
    let perDirection = defaults.count
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
    let functions = functions[direction]
    if let panels = weights.panels?.gates, let (_, time) = active.first, splitsUnits(context) {
      stepSplittingUnits(time: time, functions, scratch, weights, panels: panels, context)
      return
    }
    recurrentProjection(
      scratch.hidden, weights: weights.recurrent, panels: weights.panels?.gates, bias: weights.recurrentBias,
      columns: gateWidth, into: scratch.recurrentGates, context)
    let all = 0..<hiddenSize
    switch kind {
    case .lstm(let inputForget):
      for (batch, time) in active {
        lstm(batch: batch, time: time, functions, inputForget: inputForget, scratch, weights, units: all)
      }
    case .gru(let linearBeforeReset):
      for (batch, time) in active {
        gruGates(batch: batch, time: time, functions, linearBeforeReset: linearBeforeReset, scratch, units: all)
      }
      if !linearBeforeReset {
        // (r ⊙ h)·Rhᵀ + Rbh for the whole batch, now that every r is known.
        recurrentProjection(
          scratch.resetHidden, weights: weights.recurrent + 2 * hiddenSize * hiddenSize,
          panels: weights.panels?.candidate, bias: weights.recurrentBias.map { $0 + 2 * hiddenSize },
          columns: hiddenSize, into: scratch.candidate, context)
      }
      for (batch, time) in active {
        gruOutput(batch: batch, time: time, functions, linearBeforeReset: linearBeforeReset, scratch, units: all)
      }
    case .rnn:
      for (batch, time) in active { rnn(batch: batch, time: time, functions, scratch, units: all) }
    }
  }

  /// Hidden units per task of a split step: two panels of R's rows per gate where the units divide into
  /// them, else one. Two halve the tasks, each one region's claim and a gate pass over a few vectors: two
  /// residual LSTM layers over 64 steps, two threads, medians of alternating runs (Zen 3): 256 units 1.80 →
  /// 1.71 ms, 512 units 6.26 → 6.10 (onnxruntime 1.87 and 6.60).
  private var unitsPerTask: Int {
    let panel = GemmDriver.kernel.nr
    return hiddenSize.isMultiple(of: 2 * panel) ? 2 * panel : panel
  }

  /// Whether a step splits its hidden units over the workers (`stepSplittingUnits`): one batch row, every
  /// unit's gates computable from its own columns of `h·Rᵀ` (an LSTM, an RNN, or a GRU with linear_before_reset;
  /// otherwise the candidate needs all of `r ⊙ h` first), whole panels of units, and enough work.
  private func splitsUnits(_ context: RunContext) -> Bool {
    guard shape.batch == 1, hiddenSize % unitsPerTask == 0 else { return false }
    if case .gru(let linearBeforeReset) = kind, !linearBeforeReset { return false }
    return splitWorkers(context) > 1
  }

  /// Workers for a split step. Its work counts each multiply-add of `h·Rᵀ` `stepWorkPerMultiplyAdd` times
  /// against `RunContext.parallelWorkThreshold`, which was set for GEMMs at the multiply-add peak.
  private func splitWorkers(_ context: RunContext) -> Int {
    context.workers(
      work: RunContext.work(gateWidth, hiddenSize, Self.stepWorkPerMultiplyAdd), tasks: hiddenSize / unitsPerTask)
  }

  /// What a multiply-add of a recurrent step costs against one of a GEMM: the one-row product keeps few sums
  /// in flight and reads each weight once (a GRU of 256 units: 196,608 multiply-adds a step in ~15 µs on one
  /// Zen 3 core, about a quarter of the peak's rate), and the gate arithmetic follows. Counted at face value,
  /// GRUs of 128 and 256 units and LSTMs of 128 never split: two residual layers over 64 steps, two threads,
  /// medians of alternating runs, face value → 8: GRU-256 2.14 → 1.25 ms, LSTM-128 0.62 → 0.51, GRU-128
  /// 0.456 → 0.427 (onnxruntime 1.58, 0.566, 0.619); the 64-unit ones still run on one thread.
  static let stepWorkPerMultiplyAdd = 8

  /// One step of the single batch row with its hidden units split over the workers: each task takes
  /// `unitsPerTask` units, computes their columns of `h·Rᵀ + Rb` in every gate (the one-row kernel) and then
  /// their gates and new state. The next step reads the whole state, so a step is one parallel region; within
  /// it the products read a copy of the state taken before it (in `resetHidden`, which only a GRU without
  /// linear_before_reset uses, and that one is not split), since other tasks are writing the new one. The
  /// same kernels and element operations as one worker's step, so the same bits. A two-layer LSTM of 256
  /// units over 32 steps ran 0.69 ms on one worker and on two before the split, against onnxruntime's 0.41 on
  /// two.
  private func stepSplittingUnits(
    time: Int, _ functions: [PointwiseFunction], _ scratch: RecurrentScratch, _ weights: RecurrentWeights,
    panels: PackedPanels, _ context: RunContext
  ) {
    let tasks = hiddenSize / unitsPerTask
    let workers = splitWorkers(context)
    let gateCount = gateWidth / hiddenSize
    let previous = scratch.resetHidden
    previous.update(from: scratch.hidden, count: hiddenSize)
    context.parallelFor(tasks: tasks, workers: workers) { task, _ in
      let units = (task * unitsPerTask)..<((task + 1) * unitsPerTask)
      for gate in 0..<gateCount {
        projectPanels(
          previous, panels: panels, bias: weights.recurrentBias, column: gate * hiddenSize + units.lowerBound,
          columns: units.count, into: scratch.recurrentGates)
      }
      switch kind {
      case .lstm(let inputForget):
        lstm(batch: 0, time: time, functions, inputForget: inputForget, scratch, weights, units: units)
      case .gru(let linearBeforeReset):
        gruGates(batch: 0, time: time, functions, linearBeforeReset: linearBeforeReset, scratch, units: units)
        gruOutput(batch: 0, time: time, functions, linearBeforeReset: linearBeforeReset, scratch, units: units)
      case .rnn:
        rnn(batch: 0, time: time, functions, scratch, units: units)
      }
    }
  }

  /// Columns `column..<column + columns` (whole panels from `column`, a multiple of the panel width) of
  /// `state·Wᵀ + bias` for one state row, by the one-row kernel (`output` is that row).
  private func projectPanels(
    _ state: UnsafeMutablePointer<Float>, panels: PackedPanels, bias: UnsafePointer<Float>?, column: Int,
    columns: Int, into output: UnsafeMutablePointer<Float>
  ) {
    GemmMicrokernel1x16.runRow(
      depth: hiddenSize, a: UnsafePointer(state), panels: panels.panel(column / GemmMicrokernel1x16.nr),
      columns: columns, bias: bias.map { $0 + column }, output: output + column)
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
      // One state row: the one-row kernel (the six-row tile would sum the row six times).
      projectPanels(state, panels: panels, bias: bias, column: 0, columns: columns, into: output)
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

  /// Loads `gates = X·Wᵀ + Wb + h·Rᵀ + Rb` of `units` in every gate for one batch entry; returns the batch
  /// entry's gates.
  private func preactivations(
    batch: Int, time: Int, _ scratch: RecurrentScratch, units: Range<Int>
  ) -> UnsafeMutablePointer<Float> {
    let gates = scratch.gates + batch * gateWidth
    let input = scratch.inputGates + shape.projectionRow(time: time, batch: batch) * gateWidth
    let recurrent = scratch.recurrentGates + batch * gateWidth
    for gate in stride(from: 0, to: gateWidth, by: hiddenSize) {
      for index in units { gates[gate + index] = input[gate + index] + recurrent[gate + index] }
    }
    return gates
  }

  /// Applies the clip (if any) and then `function` to `count` values in place.
  private func activate(_ values: UnsafeMutablePointer<Float>, count: Int, _ function: PointwiseFunction) {
    if let clip { clip.apply(values, values, count: count) }
    function.apply(values, values, count: count)
  }

  /// LSTM over `units`, gates in ONNX order i, o, f, c:
  /// `i = f(Xi + Hi + Pi⊙c)`, `f = f(Xf + Hf + Pf⊙c)` (or `1 − i` with input_forget), `c̃ = g(Xc + Hc)`,
  /// `C = f⊙c + i⊙c̃`, `o = f(Xo + Ho + Po⊙C)`, `H = o⊙h(C)`.
  private func lstm(
    batch: Int, time: Int, _ functions: [PointwiseFunction], inputForget: Bool, _ scratch: RecurrentScratch,
    _ weights: RecurrentWeights, units: Range<Int>
  ) {
    let size = hiddenSize
    let (first, count) = (units.lowerBound, units.count)
    let gates = preactivations(batch: batch, time: time, scratch, units: units) + first
    let (inputGate, outputGate, forgetGate, candidate) = (gates, gates + size, gates + 2 * size, gates + 3 * size)
    let cellState = scratch.cellState + batch * size + first
    let hidden = scratch.hidden + batch * size + first
    if let peepholes = weights.peepholes.map({ $0 + first }) {
      for j in 0..<count {
        inputGate[j] += peepholes[j] * cellState[j]
        forgetGate[j] += peepholes[2 * size + j] * cellState[j]
      }
    }
    activate(inputGate, count: count, functions[0])
    activate(forgetGate, count: count, functions[0])
    activate(candidate, count: count, functions[1])
    if inputForget {
      for j in 0..<count { forgetGate[j] = 1 - inputGate[j] }
    }
    for j in 0..<count { cellState[j] = forgetGate[j] * cellState[j] + inputGate[j] * candidate[j] }
    if let peepholes = weights.peepholes.map({ $0 + first }) {
      for j in 0..<count { outputGate[j] += peepholes[size + j] * cellState[j] }
    }
    activate(outputGate, count: count, functions[0])
    // h(C) into the candidate slot, which is no longer needed.
    functions[2].apply(cellState, candidate, count: count)
    for j in 0..<count { hidden[j] = outputGate[j] * candidate[j] }
  }

  /// GRU over `units`, first half: `z = f(Xz + Hz)`, `r = f(Xr + Hr)`; then either the candidate's
  /// pre-activation `Xh + r⊙(h·Rhᵀ + Rbh)` (linear_before_reset) or `r⊙h` for the second projection.
  private func gruGates(
    batch: Int, time: Int, _ functions: [PointwiseFunction], linearBeforeReset: Bool, _ scratch: RecurrentScratch,
    units: Range<Int>
  ) {
    let size = hiddenSize
    let (first, count) = (units.lowerBound, units.count)
    let gates = preactivations(batch: batch, time: time, scratch, units: units) + first
    let (update, reset, candidate) = (gates, gates + size, gates + 2 * size)
    activate(update, count: count, functions[0])
    activate(reset, count: count, functions[0])
    let hidden = scratch.hidden + batch * size + first
    (scratch.update + batch * size + first).update(from: update, count: count)
    if linearBeforeReset {
      let row = shape.projectionRow(time: time, batch: batch) * gateWidth
      let input = scratch.inputGates + row + 2 * size + first
      let recurrent = scratch.recurrentGates + batch * gateWidth + 2 * size + first
      for j in 0..<count { candidate[j] = input[j] + reset[j] * recurrent[j] }
    } else {
      let resetHidden = scratch.resetHidden + batch * size + first
      for j in 0..<count { resetHidden[j] = reset[j] * hidden[j] }
    }
  }

  /// GRU over `units`, second half: `h̃ = g(candidate)`, `H = (1 − z)⊙h̃ + z⊙h`.
  private func gruOutput(
    batch: Int, time: Int, _ functions: [PointwiseFunction], linearBeforeReset: Bool, _ scratch: RecurrentScratch,
    units: Range<Int>
  ) {
    let size = hiddenSize
    let (first, count) = (units.lowerBound, units.count)
    let candidate = scratch.gates + batch * gateWidth + 2 * size + first
    if !linearBeforeReset {
      let input = scratch.inputGates + shape.projectionRow(time: time, batch: batch) * gateWidth + 2 * size + first
      let projected = scratch.candidate + batch * size + first
      for j in 0..<count { candidate[j] = input[j] + projected[j] }
    }
    activate(candidate, count: count, functions[1])
    let update = scratch.update + batch * size + first
    let hidden = scratch.hidden + batch * size + first
    for j in 0..<count { hidden[j] = (1 - update[j]) * candidate[j] + update[j] * hidden[j] }
  }

  /// RNN over `units`: `H = f(Xh + Hh)` (with the clip, if any, before f).
  private func rnn(
    batch: Int, time: Int, _ functions: [PointwiseFunction], _ scratch: RecurrentScratch, units: Range<Int>
  ) {
    let (first, count) = (units.lowerBound, units.count)
    let gates = preactivations(batch: batch, time: time, scratch, units: units) + first
    activate(gates, count: count, functions[0])
    (scratch.hidden + batch * hiddenSize + first).update(from: gates, count: count)
  }
}
