import ResKernels
import ResPlan

/// `f32_recurrent_generic`: ONNX LSTM, GRU and RNN, forward, reverse or bidirectional, in either layout, with
/// every optional input (bias, sequence lengths, initial states, peepholes) and attribute (gate functions,
/// clip, input_forget, linear_before_reset).
///
/// Per direction, the input projection `X·Wᵀ + Wb` of every time step is one GEMM; each step then computes
/// `h·Rᵀ + Rb` for the whole batch (one GEMM) and runs the cell's gate arithmetic (`RecurrentCell`). A
/// constant R is packed into the GEMM's panels once, when the plan loads (`RecurrentPanels`): packed at every
/// step instead, the copy of R cost as much as the product it fed (the residual LSTM fixture ran 2.3x
/// onnxruntime's time). With
/// sequence lengths, batch entry `b` runs only its first `len[b]` steps (a reverse direction starts at
/// `len[b] − 1`); its later outputs are zero and its final state is the one after its last step
/// (onnxruntime's semantics).
struct RecurrentOperator: Operator {
  let shape: RecurrentShape
  let cell: RecurrentCell
  let operands: RecurrentOperands
  /// Per direction, R in panels; nil when R is computed at run time.
  let panels: [RecurrentPanels]?

  init(_ params: Rescompile_Plan_RecurrentParams, _ stepOperands: StepOperands) throws(RuntimeError) {
    let operands = try RecurrentOperands(params, stepOperands)
    let shape = try RecurrentShape(params, operands, stepOperands)
    self.operands = operands
    self.shape = shape
    cell = try RecurrentCell(params, shape, stepOperands)
    if let r = stepOperands.constantFloats(operands.r) {
      let w = stepOperands.constantFloats(operands.w)
      var panels: [RecurrentPanels] = []
      for direction in 0..<shape.directions {
        panels.append(
          try RecurrentPanels(
            r + direction * shape.gateWidth * shape.hiddenSize,
            input: w.map { $0 + direction * shape.gateWidth * shape.inputSize }, shape,
            separateCandidate: params.cell == .gru && !params.linearBeforeReset))
      }
      self.panels = panels
    } else {
      panels = nil
    }
  }

  var scratchBytesPerWorker: Int {
    GemmDriver.scratchFloats(packsA: true) * 4
  }

  var sharedScratchBytes: Int { shape.directionScratchBytes * shape.directions }

  func run(_ context: RunContext) throws(RuntimeError) {
    let lengths = try sequenceLengths(context)
    let scratches = (0..<shape.directions).map {
      RecurrentScratch(context.sharedScratch + $0 * shape.directionScratchBytes, shape)
    }
    for direction in 0..<shape.directions {
      projectInputs(weights(direction, context), into: scratches[direction].inputGates, context)
    }
    guard runsDirectionsAtOnce(context) else {
      for direction in 0..<shape.directions { recur(direction, scratches[direction], lengths: lengths, context) }
      return
    }
    context.parallelFor(tasks: shape.directions, workers: shape.directions) { direction, worker in
      let alone = context.alone(worker: worker, sharedScratch: context.sharedScratch)
      recur(direction, scratches[direction], lengths: lengths, alone)
    }
  }

  /// Whether the two directions of a bidirectional layer run at once, each on a worker of its own, rather
  /// than one after the other with each step split by units (`RecurrentCell`): a step then waits for no
  /// other worker. Two residual layers of a bidirectional LSTM over 64 steps, two threads, Zen 3, medians of
  /// alternating runs: 128 units a direction 1.27 → 1.02 ms, 256 units 4.24 → 3.96 (onnxruntime 1.29, 4.59).
  /// A third worker and more stay idle during the steps.
  private func runsDirectionsAtOnce(_ context: RunContext) -> Bool {
    guard shape.directions == 2 else { return false }
    let work = RunContext.work(
      shape.sequence, shape.batch, shape.gateWidth, shape.hiddenSize, RecurrentCell.stepWorkPerMultiplyAdd)
    return context.workers(work: work, tasks: shape.directions) == shape.directions
  }

  private func weights(_ direction: Int, _ context: RunContext) -> RecurrentWeights {
    RecurrentWeights(operands, shape, direction, panels: panels?[direction], context)
  }

  /// One direction's steps, from its initial state (`X·Wᵀ + Wb` already in `scratch.inputGates`) to its
  /// outputs and final state.
  private func recur(_ direction: Int, _ scratch: RecurrentScratch, lengths: [Int], _ context: RunContext) {
    let weights = weights(direction, context)
    let reverse = shape.isReverse(direction)
    let output = context.floats(operands.y)
    loadInitialState(direction, scratch, context)
    var active: [(batch: Int, time: Int)] = []
    active.reserveCapacity(shape.batch)
    for step in 0..<shape.sequence {
      // Refilled in place: a new array per step was a heap allocation per time step.
      active.removeAll(keepingCapacity: true)
      for batch in 0..<shape.batch where step < lengths[batch] {
        active.append((batch: batch, time: reverse ? lengths[batch] - 1 - step : step))
      }
      cell.step(active: active, direction: direction, scratch: scratch, weights: weights, context: context)
      for (batch, time) in active {
        (output + shape.outputOffset(time: time, direction: direction, batch: batch))
          .update(from: scratch.hidden + batch * shape.hiddenSize, count: shape.hiddenSize)
      }
    }
    for batch in 0..<shape.batch {
      for time in lengths[batch]..<shape.sequence {
        (output + shape.outputOffset(time: time, direction: direction, batch: batch))
          .update(repeating: 0, count: shape.hiddenSize)
      }
    }
    storeFinalState(direction, scratch, context)
  }

  /// Every batch entry's sequence length, checked to lie in `0...sequence`.
  private func sequenceLengths(_ context: RunContext) throws(RuntimeError) -> [Int] {
    guard let buffer = operands.sequenceLengths else {
      return [Int](repeating: shape.sequence, count: shape.batch)
    }
    let raw = UnsafeRawPointer(context.raw(buffer))
    var lengths: [Int] = []
    for batch in 0..<shape.batch {
      let value =
        buffer.elementType == .i64
        ? raw.load(fromByteOffset: batch * 8, as: Int64.self)
        : Int64(raw.load(fromByteOffset: batch * 4, as: Int32.self))
      guard value >= 0, value <= Int64(shape.sequence) else {
        throw RuntimeError(
          .execution,
          "\(shape.site): sequence length \(value) of batch entry \(batch) is outside 0...\(shape.sequence)")
      }
      lengths.append(Int(value))
    }
    return lengths
  }

  /// `gates[row] = X[row]·W[d]ᵀ + Wb[d]` for every row of X, in X's own row order, split over the workers as
  /// any GEMM (the same bits on any split).
  private func projectInputs(
    _ weights: RecurrentWeights, into gates: UnsafeMutablePointer<Float>, _ context: RunContext
  ) {
    var epilogue = MatrixEpilogue()
    if let inputBias = weights.inputBias {
      epilogue.bias = inputBias
      epilogue.biasColumnStride = 1
    }
    let x = UnsafePointer(context.floats(operands.x))
    let a = GemmA.strided(x, rowStride: shape.inputSize, depthStride: 1)
    let (m, n) = (shape.sequence * shape.batch, shape.gateWidth)
    let workers = context.workers(work: RunContext.work(m, n, shape.inputSize), tasks: m * n)
    let tasks = GemmPartition.tasks(problems: 1, m: m, n: n, workers: workers)
    let packed = weights.panels?.input
    let strided = StridedPanels(base: weights.input, depthStride: 1, columnStride: shape.inputSize)
    context.parallelFor(tasks: tasks.count, workers: workers) { index, worker in
      let (rows, columns) = (tasks[index].rows, tasks[index].columns)
      let scratch = context.scratchFloats(worker: worker)
      if let packed {
        GemmDriver.run(
          k: shape.inputSize, a: a, b: PrepackedPanels(packed: packed), c: gates, cRowStride: n, epilogue: epilogue,
          rows: rows, columns: columns, scratch: scratch)
      } else {
        GemmDriver.run(
          k: shape.inputSize, a: a, b: strided, c: gates, cRowStride: n, epilogue: epilogue, rows: rows,
          columns: columns, scratch: scratch)
      }
    }
  }

  private func loadInitialState(_ direction: Int, _ scratch: RecurrentScratch, _ context: RunContext) {
    let size = shape.hiddenSize
    for batch in 0..<shape.batch {
      let offset = shape.stateOffset(direction: direction, batch: batch)
      let hidden = scratch.hidden + batch * size
      let cellState = scratch.cellState + batch * size
      if let initial = operands.initialHidden {
        hidden.update(from: context.floats(initial) + offset, count: size)
      } else {
        hidden.update(repeating: 0, count: size)
      }
      if let initial = operands.initialCell {
        cellState.update(from: context.floats(initial) + offset, count: size)
      } else {
        cellState.update(repeating: 0, count: size)
      }
    }
  }

  private func storeFinalState(_ direction: Int, _ scratch: RecurrentScratch, _ context: RunContext) {
    let size = shape.hiddenSize
    for batch in 0..<shape.batch {
      let offset = shape.stateOffset(direction: direction, batch: batch)
      (context.floats(operands.finalHidden) + offset).update(from: scratch.hidden + batch * size, count: size)
      if let finalCell = operands.finalCell {
        (context.floats(finalCell) + offset).update(from: scratch.cellState + batch * size, count: size)
      }
    }
  }
}
