import ResIR

/// The operands and layout shared by LSTM, GRU and RNN, checked once: sizes, the `layout` attribute's two
/// orders of X, the states and Y, per-batch sequence lengths, and the gate functions of each direction.
///
/// The kernels compute one (direction, batch entry) at a time, which is the definition written as loops:
/// each sequence is independent of the others.
struct RecurrentOperands {
  let sequenceLength: Int
  let batch: Int
  let inputSize: Int
  let hidden: Int
  let directions: Int
  let gates: Int
  let batchMajor: Bool
  let dtype: DType
  let x: [Double]
  /// `[directions, gates·hidden, inputSize]` and `[directions, gates·hidden, hidden]`.
  let w: [Double]
  let r: [Double]
  /// `[directions, 2·gates·hidden]` (Wb then Rb), zeros when absent.
  let b: [Double]
  /// How many steps each batch entry runs (`sequence_lens`, or the whole sequence).
  let lengths: [Int]
  /// The gate functions of each direction (LSTM: f, g, h; GRU: f, g; RNN: f).
  let activations: [[RecurrentActivation]]

  /// - Parameters:
  ///   - gates: 4 for LSTM, 3 for GRU, 1 for RNN.
  ///   - defaults: ONNX's gate functions, used when the node lists none.
  init(
    _ operands: NodeOperands, _ attributes: RecurrentAttributes, gates: Int, defaults: [RecurrentActivation]
  ) throws(EvaluationFailure) {
    let xTensor = try operands.required(0, "X")
    x = try xTensor.floatValues("X")
    dtype = xTensor.dtype
    try xTensor.requireRank("X", 3...3)
    batchMajor = attributes.batchMajor
    (sequenceLength, batch) = batchMajor ? (xTensor.shape[1], xTensor.shape[0]) : (xTensor.shape[0], xTensor.shape[1])
    inputSize = xTensor.shape[2]
    hidden = attributes.hiddenSize
    directions = attributes.direction.count
    self.gates = gates
    guard hidden >= 0, hidden <= ShapeArithmetic.maximumElementCount else {
      throw EvaluationFailure("hidden_size \(hidden) is not a valid size")
    }
    w = try Self.parameter(operands, 1, "W", [directions, gates * hidden, inputSize], dtype)
    r = try Self.parameter(operands, 2, "R", [directions, gates * hidden, hidden], dtype)
    if operands.optional(3) != nil {
      b = try Self.parameter(operands, 3, "B", [directions, 2 * gates * hidden], dtype)
    } else {
      b = Array(repeating: 0, count: directions * 2 * gates * hidden)
    }
    lengths = try Self.lengths(operands.optional(4), batch: batch, sequenceLength: sequenceLength)
    activations = try Self.activations(attributes.activations, defaults: defaults, directions: directions)
  }

  // MARK: - Layout

  /// The state shape (`initial_h`, `Y_h`, `Y_c`): `[directions, batch, hidden]`, or batch first with `layout`.
  var stateShape: [Int] { batchMajor ? [batch, directions, hidden] : [directions, batch, hidden] }

  /// Y's shape: `[sequence, directions, batch, hidden]`, or `[batch, sequence, directions, hidden]`.
  var outputShape: [Int] {
    batchMajor ? [batch, sequenceLength, directions, hidden] : [sequenceLength, directions, batch, hidden]
  }

  /// Where element 0 of the input vector of step `t`, batch entry `n` is in X.
  func inputOffset(step t: Int, batch n: Int) -> Int {
    (batchMajor ? n * sequenceLength + t : t * batch + n) * inputSize
  }

  /// Where element 0 of the state of `direction`, batch entry `n` is in a state tensor.
  func stateOffset(direction d: Int, batch n: Int) -> Int {
    (batchMajor ? n * directions + d : d * batch + n) * hidden
  }

  /// Where element 0 of the hidden state of step `t`, `direction`, batch entry `n` is in Y.
  func outputOffset(step t: Int, direction d: Int, batch n: Int) -> Int {
    (batchMajor ? (n * sequenceLength + t) * directions + d : (t * directions + d) * batch + n) * hidden
  }

  /// The steps batch entry `n` runs in `direction`, in the order it runs them: forward runs `0..<length`,
  /// reverse runs the same steps backwards (so a shorter sequence starts at its own last element).
  func steps(direction d: Int, batch n: Int, _ direction: RecurrentDirection) -> [Int] {
    let forward = Array(0..<lengths[n])
    let reversed = direction == .reverse || (direction == .bidirectional && d == 1)
    return reversed ? forward.reversed() : forward
  }

  /// An initial state operand (`initial_h`, `initial_c`) in state layout, or zeros when absent.
  func initialState(_ operands: NodeOperands, _ slot: Int, _ role: String) throws(EvaluationFailure) -> [Double] {
    guard operands.optional(slot) != nil else {
      return Array(repeating: 0, count: directions * batch * hidden)
    }
    return try Self.parameter(operands, slot, role, stateShape, dtype)
  }

  // MARK: - Arithmetic

  /// `Σᵢ M[row, i]·v[i]` for the matrix of `direction` in a `[directions, rows, columns]` parameter.
  static func dot(
    _ matrix: [Double], direction d: Int, row: Int, rows: Int, columns: Int, _ vector: [Double], vectorOffset: Int
  ) -> Double {
    let start = (d * rows + row) * columns
    var sum = 0.0
    for i in 0..<columns { sum += matrix[start + i] * vector[vectorOffset + i] }
    return sum
  }

  /// Clamps a gate's input to `[−clip, clip]` when the node sets a clip threshold.
  static func clipped(_ x: Double, _ clip: Float?) -> Double {
    guard let clip else { return x }
    return ScalarFunctions.clip(x, low: -Double(clip), high: Double(clip))
  }

  // MARK: - Checks

  static func parameter(_ operands: NodeOperands, _ slot: Int, _ role: String, _ shape: [Int], _ dtype: DType)
    throws(EvaluationFailure) -> [Double]
  {
    let tensor = try operands.required(slot, role)
    try tensor.requireDType(role, dtype)
    try tensor.requireShape(role, shape)
    return try tensor.floatValues(role)
  }

  private static func lengths(_ tensor: ReferenceTensor?, batch: Int, sequenceLength: Int) throws(EvaluationFailure)
    -> [Int]
  {
    guard let tensor else { return Array(repeating: sequenceLength, count: batch) }
    try tensor.requireShape("sequence_lens", [batch])
    let values = try tensor.indexValues("sequence_lens")
    guard values.allSatisfy({ $0 >= 0 && $0 <= Int64(sequenceLength) }) else {
      throw EvaluationFailure("sequence_lens \(values) must lie between 0 and the sequence length \(sequenceLength)")
    }
    return values.map { Int($0) }
  }

  /// One list per direction. A bidirectional node may list one direction's functions for both (as
  /// onnxruntime accepts); an empty list means ONNX's defaults.
  private static func activations(_ listed: [RecurrentActivation], defaults: [RecurrentActivation], directions: Int)
    throws(EvaluationFailure) -> [[RecurrentActivation]]
  {
    let perDirection = defaults.count
    let list = listed.isEmpty ? defaults : listed
    if list.count == perDirection { return Array(repeating: list, count: directions) }
    guard list.count == perDirection * directions else {
      throw EvaluationFailure(
        "activations lists \(list.count) functions; expected \(perDirection) per direction for \(directions) "
          + "direction\(directions == 1 ? "" : "s")")
    }
    return (0..<directions).map { Array(list[($0 * perDirection)..<(($0 + 1) * perDirection)]) }
  }
}

extension RecurrentOperands {
  /// A cell whose only state is the hidden one (GRU, RNN) over every direction and batch entry: `step` maps
  /// a direction, the offset of a time step's input in X and the hidden state to the next state. Returns
  /// `[Y, Y_h]`; steps past a shorter sequence leave Y at zero and Y_h at the state after its last step.
  func runHiddenStateCell(
    _ operands: NodeOperands, _ direction: RecurrentDirection,
    step: (_ direction: Int, _ input: Int, _ h: [Double]) -> [Double]
  ) throws(EvaluationFailure) -> [ReferenceTensor] {
    var hiddenState = try initialState(operands, 5, "initial_h")
    var y = [Double](repeating: 0, count: try ShapeArithmetic.elementCount(outputShape))
    for d in 0..<directions {
      for n in 0..<batch {
        let stateStart = stateOffset(direction: d, batch: n)
        var h = Array(hiddenState[stateStart..<(stateStart + hidden)])
        for t in steps(direction: d, batch: n, direction) {
          h = step(d, inputOffset(step: t, batch: n), h)
          let outputStart = outputOffset(step: t, direction: d, batch: n)
          y.replaceSubrange(outputStart..<(outputStart + hidden), with: h)
        }
        hiddenState.replaceSubrange(stateStart..<(stateStart + hidden), with: h)
      }
    }
    return [
      ReferenceTensor(dtype: dtype, shape: outputShape, doubles: y),
      ReferenceTensor(dtype: dtype, shape: stateShape, doubles: hiddenState),
    ]
  }
}
