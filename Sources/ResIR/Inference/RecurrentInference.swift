/// The parts in which LSTM, GRU and RNN differ, as far as shapes go.
struct RecurrentCell {
  let name: String
  /// Gates per direction: LSTM has input, output, forget and cell (4); GRU update, reset and hidden (3); RNN
  /// the hidden state alone (1).
  let gates: Int
  /// Gate functions per direction: LSTM f, g, h (3); GRU f, g (2); RNN f (1).
  let functionsPerDirection: Int
  /// LSTM also has the cell state: an `initial_c` operand and a `Y_c` result.
  let hasCellState: Bool

  static let lstm = RecurrentCell(name: "LSTM", gates: 4, functionsPerDirection: 3, hasCellState: true)
  static let gru = RecurrentCell(name: "GRU", gates: 3, functionsPerDirection: 2, hasCellState: false)
  static let rnn = RecurrentCell(name: "RNN", gates: 1, functionsPerDirection: 1, hasCellState: false)
}

extension NodeContext {
  /// LSTM, GRU and RNN: operands X, W, R, B?, sequence_lens?, initial_h?, (LSTM: initial_c?, P?). Results Y, Y_h
  /// (and Y_c), laid out `[seq, num_directions, batch, hidden]` / `[num_directions, batch, hidden]`, or
  /// `[batch, seq, num_directions, hidden]` / `[batch, num_directions, hidden]` with `layout=1`.
  func recurrent(_ attributes: RecurrentAttributes, _ cell: RecurrentCell) throws(ModelError) -> [TensorType] {
    try checkRecurrentAttributes(attributes, cell)
    let x = try operand(0)
    try requireDType(x, .floats, "X")
    try requireSameDType([0, 1, 2, 3, 5, 6, 7])
    try requireRank(x, 3, "X", layout: attributes.batchMajor ? "batch, seq, input" : "seq, batch, input")
    let (sequence, inputBatch, inputSize) =
      attributes.batchMajor ? (x.shape[1], x.shape[0], x.shape[2]) : (x.shape[0], x.shape[1], x.shape[2])
    let directions = Dim.known(attributes.direction.count)
    let hidden = Dim.known(attributes.hiddenSize)
    let gateRows = try multiple(cell.gates, of: attributes.hiddenSize)

    try requireShape(
      1, "W", [directions, gateRows, inputSize], "num_directions, \(cell.gates)·hidden_size, input_size")
    try requireShape(2, "R", [directions, gateRows, hidden], "num_directions, \(cell.gates)·hidden_size, hidden_size")
    if optionalOperand(3) != nil {
      let biasRows = try multiple(2 * cell.gates, of: attributes.hiddenSize)
      try requireShape(3, "B", [directions, biasRows], "num_directions, \(2 * cell.gates)·hidden_size")
    }
    var batch = inputBatch
    if let lengths = optionalOperand(4) {
      try requireDType(lengths, .int32, "sequence_lens")
      batch = try requireShape(4, "sequence_lens", [batch], "batch")[0]
    }
    let stateLayout =
      attributes.batchMajor ? "batch, num_directions, hidden_size" : "num_directions, batch, hidden_size"
    let stateSlots = cell.hasCellState ? [(5, "initial_h"), (6, "initial_c")] : [(5, "initial_h")]
    for (slot, name) in stateSlots where optionalOperand(slot) != nil {
      let state = try requireShape(slot, name, stateShape(batch, directions, hidden, attributes), stateLayout)
      batch = attributes.batchMajor ? state[0] : state[1]
    }
    if cell.hasCellState, optionalOperand(7) != nil {
      try requireShape(
        7, "P", [directions, try multiple(3, of: attributes.hiddenSize)], "num_directions, 3·hidden_size")
    }

    let y = attributes.batchMajor ? [batch, sequence, directions, hidden] : [sequence, directions, batch, hidden]
    let state = TensorType(x.dtype, stateShape(batch, directions, hidden, attributes))
    return [TensorType(x.dtype, y), state] + (cell.hasCellState ? [state] : [])
  }

  private func stateShape(_ batch: Dim, _ directions: Dim, _ hidden: Dim, _ attributes: RecurrentAttributes) -> [Dim] {
    attributes.batchMajor ? [batch, directions, hidden] : [directions, batch, hidden]
  }

  private func checkRecurrentAttributes(_ attributes: RecurrentAttributes, _ cell: RecurrentCell) throws(ModelError) {
    guard attributes.hiddenSize >= 1 else {
      throw error("hidden_size \(attributes.hiddenSize) must be positive")
    }
    let expected = cell.functionsPerDirection * attributes.direction.count
    guard attributes.activations.count == expected else {
      throw error(
        "activations has \(attributes.activations.count) entries, expected \(expected) "
          + "(\(cell.functionsPerDirection) per direction)")
    }
    if let clip = attributes.clip, !(clip >= 0) {
      throw error("clip \(clip) must not be negative")
    }
    if attributes.inputForget && cell.name != "LSTM" {
      throw error("input_forget applies only to LSTM")
    }
    if attributes.linearBeforeReset && cell.name != "GRU" {
      throw error("linear_before_reset applies only to GRU")
    }
  }

  /// `factor · hiddenSize` as a dimension, or an error when it overflows.
  private func multiple(_ factor: Int, of hiddenSize: Int) throws(ModelError) -> Dim {
    let (rows, overflow) = hiddenSize.multipliedReportingOverflow(by: factor)
    guard !overflow else { throw error("hidden_size \(hiddenSize) is too large") }
    return .known(rows)
  }

  /// Checks that operand `slot` has `expected`'s rank and no dimension that contradicts it; returns the
  /// unified shape (so a known batch on one operand fills in an unknown one).
  @discardableResult
  private func requireShape(_ slot: Int, _ name: String, _ expected: [Dim], _ layout: String) throws(ModelError)
    -> [Dim]
  {
    let type = try operand(slot)
    try requireRank(type, expected.count, name, layout: layout)
    var unified: [Dim] = []
    for (actual, wanted) in zip(type.shape, expected) {
      guard let dim = Broadcasting.unify(wanted, actual) else {
        throw error("\(name) has shape \(shapeText(type.shape)), expected \(shapeText(expected)) (\(layout))")
      }
      unified.append(dim)
    }
    return unified
  }
}
