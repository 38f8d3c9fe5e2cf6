import ResPlan

/// The buffers of a recurrent step, in ONNX order: inputs X, W, R, then the optional B, sequence_lens,
/// initial_h, initial_c (LSTM), P (LSTM) present as the parameters flag them; outputs Y, Y_h and, for an
/// LSTM, Y_c (all required: a plan gives every output a buffer even when the graph ignores it).
struct RecurrentOperands: Sendable {
  let cell: Rescompile_Plan_RecurrentParams.Cell
  let x: PlanBuffer
  let w: PlanBuffer
  let r: PlanBuffer
  let bias: PlanBuffer?
  let sequenceLengths: PlanBuffer?
  let initialHidden: PlanBuffer?
  let initialCell: PlanBuffer?
  let peepholes: PlanBuffer?
  let y: PlanBuffer
  let finalHidden: PlanBuffer
  let finalCell: PlanBuffer?

  init(_ params: Rescompile_Plan_RecurrentParams, _ operands: StepOperands) throws(RuntimeError) {
    cell = params.cell
    let isLSTM: Bool
    switch params.cell {
    case .lstm: isLSTM = true
    case .gru, .rnn: isLSTM = false
    case .UNRECOGNIZED(let raw): throw operands.failure("recurrent cell \(raw) is unknown to this runtime")
    }
    if !isLSTM && (params.hasInitialC_p || params.hasPeepholes_p || params.inputForget) {
      throw operands.failure("a GRU or RNN has no initial_c, peepholes or input_forget")
    }
    if params.cell != .gru && params.linearBeforeReset {
      throw operands.failure("only a GRU has linear_before_reset")
    }
    let flags = [params.hasBias_p, params.hasSequenceLens_p, params.hasInitialH_p, params.hasInitialC_p, params.hasPeepholes_p]
    let inputCount = 3 + flags.filter { $0 }.count
    let outputCount = isLSTM ? 3 : 2
    try operands.requireCounts(inputs: inputCount...inputCount, outputs: outputCount...outputCount)
    x = try operands.input(0, "X", .f32)
    w = try operands.input(1, "W", .f32)
    r = try operands.input(2, "R", .f32)
    var next = 3
    func optional(_ present: Bool, _ role: String, _ types: Set<ElementType>) throws(RuntimeError) -> PlanBuffer? {
      guard present else { return nil }
      defer { next += 1 }
      return try operands.input(next, role, types)
    }
    bias = try optional(params.hasBias_p, "B", [.f32])
    sequenceLengths = try optional(params.hasSequenceLens_p, "sequence_lens", [.i32, .i64])
    initialHidden = try optional(params.hasInitialH_p, "initial_h", [.f32])
    initialCell = try optional(params.hasInitialC_p, "initial_c", [.f32])
    peepholes = try optional(params.hasPeepholes_p, "P", [.f32])
    y = try operands.output(0, "Y", .f32)
    finalHidden = try operands.output(1, "Y_h", .f32)
    finalCell = isLSTM ? try operands.output(2, "Y_c", .f32) : nil
  }
}

/// Sizes and layouts of a recurrent step, checked against every operand.
struct RecurrentShape: Sendable {
  let site: StepSite
  let sequence: Int
  let batch: Int
  let inputSize: Int
  let hiddenSize: Int
  let gateCount: Int
  let directions: Int
  let batchMajor: Bool
  let direction: Rescompile_Plan_RecurrentParams.Direction
  /// Floats of `RecurrentScratch`: `batch · ((sequence + 2)·gateWidth + 5·hiddenSize)`, overflow-checked.
  let scratchFloats: Int
  /// Bytes from one direction's `RecurrentScratch` to the next's (`scratchFloats` floats rounded up to 64
  /// bytes): each direction has its own, so that two can run at once.
  let directionScratchBytes: Int

  var gateWidth: Int { gateCount * hiddenSize }

  init(
    _ params: Rescompile_Plan_RecurrentParams, _ buffers: RecurrentOperands, _ operands: StepOperands
  ) throws(RuntimeError) {
    site = operands.site
    switch params.direction {
    case .forward, .reverse: directions = 1
    case .bidirectional: directions = 2
    case .UNRECOGNIZED(let raw): throw operands.failure("recurrent direction \(raw) is unknown to this runtime")
    }
    direction = params.direction
    switch buffers.cell {
    case .lstm: gateCount = 4
    case .gru: gateCount = 3
    case .rnn, .UNRECOGNIZED: gateCount = 1
    }
    batchMajor = params.batchMajor
    try operands.requireRank(buffers.x, "X", 3...3)
    (sequence, batch) =
      batchMajor ? (buffers.x.shape[1], buffers.x.shape[0]) : (buffers.x.shape[0], buffers.x.shape[1])
    inputSize = buffers.x.shape[2]
    guard params.hiddenSize >= 1, params.hiddenSize <= Int64(WindowAxes.largestExtent) else {
      throw operands.failure("hidden_size \(params.hiddenSize) is out of range")
    }
    hiddenSize = Int(params.hiddenSize)
    let gates = try CheckedMath.multiply(gateCount, hiddenSize, "\(operands.site): gate width")
    try operands.requireShape(buffers.w, "W", [directions, gates, inputSize])
    try operands.requireShape(buffers.r, "R", [directions, gates, hiddenSize])
    if let bias = buffers.bias { try operands.requireShape(bias, "B", [directions, 2 * gates]) }
    if let lengths = buffers.sequenceLengths { try operands.requireShape(lengths, "sequence_lens", [batch]) }
    let state = batchMajor ? [batch, directions, hiddenSize] : [directions, batch, hiddenSize]
    if let initial = buffers.initialHidden { try operands.requireShape(initial, "initial_h", state) }
    if let initial = buffers.initialCell { try operands.requireShape(initial, "initial_c", state) }
    if let peepholes = buffers.peepholes { try operands.requireShape(peepholes, "P", [directions, 3 * hiddenSize]) }
    let outputShape =
      batchMajor ? [batch, sequence, directions, hiddenSize] : [sequence, directions, batch, hiddenSize]
    try operands.requireShape(buffers.y, "Y", outputShape)
    try operands.requireShape(buffers.finalHidden, "Y_h", state)
    if let finalCell = buffers.finalCell { try operands.requireShape(finalCell, "Y_c", state) }
    let what = "\(operands.site): scratch size"
    let perBatch = try CheckedMath.add(
      try CheckedMath.multiply(sequence + 2, gates, what), try CheckedMath.multiply(5, hiddenSize, what), what)
    scratchFloats = try CheckedMath.multiply(batch, perBatch, what)
    let bytes = try CheckedMath.add(try CheckedMath.multiply(scratchFloats, 4, what), 63, what)
    directionScratchBytes = bytes / 64 * 64
    _ = try CheckedMath.multiply(directionScratchBytes, directions, what)
  }

  func isReverse(_ index: Int) -> Bool {
    direction == .reverse || (direction == .bidirectional && index == 1)
  }

  /// The row of X (and of the input projection) holding time step `time` of batch entry `batch`.
  func projectionRow(time: Int, batch entry: Int) -> Int {
    batchMajor ? entry * sequence + time : time * batch + entry
  }

  /// Element offset of `Y[time, direction, batch, 0]` (or its batch-major counterpart).
  func outputOffset(time: Int, direction index: Int, batch entry: Int) -> Int {
    batchMajor
      ? ((entry * sequence + time) * directions + index) * hiddenSize
      : ((time * directions + index) * batch + entry) * hiddenSize
  }

  /// Element offset of a state (`initial_h`, `Y_h`, ...) for one direction and batch entry.
  func stateOffset(direction index: Int, batch entry: Int) -> Int {
    batchMajor ? (entry * directions + index) * hiddenSize : (index * batch + entry) * hiddenSize
  }

}

/// The shared scratch of a recurrent step, carved into its arrays.
struct RecurrentScratch {
  /// `X·Wᵀ + Wb` for every row of X.
  let inputGates: UnsafeMutablePointer<Float>
  /// `h·Rᵀ + Rb` for the batch, this step.
  let recurrentGates: UnsafeMutablePointer<Float>
  /// Gate values being computed, per batch entry.
  let gates: UnsafeMutablePointer<Float>
  let hidden: UnsafeMutablePointer<Float>
  let cellState: UnsafeMutablePointer<Float>
  /// GRU: the update gate, `r ⊙ h`, and `(r ⊙ h)·Rhᵀ + Rbh`.
  let update: UnsafeMutablePointer<Float>
  let resetHidden: UnsafeMutablePointer<Float>
  let candidate: UnsafeMutablePointer<Float>

  init(_ base: UnsafeMutableRawPointer, _ shape: RecurrentShape) {
    let floats = base.bindMemory(to: Float.self, capacity: shape.scratchFloats)
    let gatesPerBatch = shape.batch * shape.gateWidth
    let statePerBatch = shape.batch * shape.hiddenSize
    inputGates = floats
    recurrentGates = inputGates + shape.sequence * gatesPerBatch
    gates = recurrentGates + gatesPerBatch
    hidden = gates + gatesPerBatch
    cellState = hidden + statePerBatch
    update = cellState + statePerBatch
    resetHidden = update + statePerBatch
    candidate = resetHidden + statePerBatch
  }
}

/// One direction's slices of the weights.
struct RecurrentWeights {
  let input: UnsafePointer<Float>
  let recurrent: UnsafePointer<Float>
  let inputBias: UnsafePointer<Float>?
  let recurrentBias: UnsafePointer<Float>?
  let peepholes: UnsafePointer<Float>?
  /// `recurrent` in the GEMM's panels, when R is a constant.
  let panels: RecurrentPanels?

  init(
    _ operands: RecurrentOperands, _ shape: RecurrentShape, _ direction: Int, panels: RecurrentPanels?,
    _ context: RunContext
  ) {
    let gates = shape.gateWidth
    input = UnsafePointer(context.floats(operands.w)) + direction * gates * shape.inputSize
    recurrent = UnsafePointer(context.floats(operands.r)) + direction * gates * shape.hiddenSize
    let bias = operands.bias.map { UnsafePointer(context.floats($0)) + direction * 2 * gates }
    inputBias = bias
    recurrentBias = bias.map { $0 + gates }
    peepholes = operands.peepholes.map { UnsafePointer(context.floats($0)) + direction * 3 * shape.hiddenSize }
    self.panels = panels
  }
}

/// One direction's constant R (`gateWidth × hiddenSize`, ONNX's row per gate unit) packed once into the
/// GEMM's 16-wide B panels (and W, when constant too), so that a time step's `h·Rᵀ` reads them in place; for a GRU whose reset gate
/// multiplies the hidden state before its projection, the candidate gate's rows again on their own (the step
/// projects them separately).
struct RecurrentPanels: Sendable {
  let gates: PackedPanels
  let candidate: PackedPanels?
  /// W (`gateWidth × inputSize`) likewise, for the input projection of every time step; nil when W is
  /// computed at run time.
  let input: PackedPanels?

  init(
    _ r: UnsafePointer<Float>, input w: UnsafePointer<Float>?, _ shape: RecurrentShape, separateCandidate: Bool
  ) throws(RuntimeError) {
    let size = shape.hiddenSize
    let width = GemmDriver.kernel.nr
    input = try w.map { w throws(RuntimeError) in
      try PackedPanels(
        w, rowStride: shape.inputSize, depthStride: 1, rows: shape.gateWidth, depth: shape.inputSize, width: width)
    }
    gates = try PackedPanels(r, rowStride: size, depthStride: 1, rows: shape.gateWidth, depth: size, width: width)
    candidate =
      separateCandidate
      ? try PackedPanels(r + 2 * size * size, rowStride: size, depthStride: 1, rows: size, depth: size, width: width)
      : nil
  }
}
