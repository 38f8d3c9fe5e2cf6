import ResIR
import ResPlan

/// LSTM, GRU and RNN: one `f32_recurrent_generic` step with ONNX's operand layouts.
///
/// Absent optional operands are left out of the step's inputs and flagged in RecurrentParams. Every result is
/// written, whether or not the graph reads it (the kernel produces them together); sequence lengths stay
/// int32. The kernel computes in f32: other float types are converted around it.
extension GraphLowering {
  mutating func lowerRecurrent(
    _ node: Node, _ attributes: RecurrentAttributes, cell: Rescompile_Plan_RecurrentParams.Cell
  )
    throws(ModelError)
  {
    let x = try required(node, 0, "X")
    try requireFloatCompute(node, x)
    var params = Rescompile_Plan_RecurrentParams()
    params.cell = cell
    params.direction = Self.direction(attributes.direction)
    params.hiddenSize = Int64(attributes.hiddenSize)
    params.activations = attributes.activations.map(ActivationEncoding.gate)
    params.hasClip_p = attributes.clip != nil
    params.clip = attributes.clip ?? 0
    params.inputForget = attributes.inputForget
    params.linearBeforeReset = attributes.linearBeforeReset
    params.batchMajor = attributes.batchMajor

    var inputs: [StepOperand] = [
      .float32(x), .float32(try required(node, 1, "W")), .float32(try required(node, 2, "R")),
    ]
    func optional(_ slot: Int, as dtype: DType) -> Bool {
      guard let value = node.input(slot) else { return false }
      inputs.append(.value(value, as: dtype))
      return true
    }
    params.hasBias_p = optional(3, as: .float32)
    params.hasSequenceLens_p = optional(4, as: .int32)
    params.hasInitialH_p = optional(5, as: .float32)
    if cell == .lstm {
      params.hasInitialC_p = optional(6, as: .float32)
      params.hasPeepholes_p = optional(7, as: .float32)
    }
    let outputs = node.outputs.map { StepResult.float32($0) }
    try emit(node, .f32RecurrentGeneric, .recurrent(params), inputs: inputs, outputs: outputs)
  }

  private static func direction(_ direction: RecurrentDirection) -> Rescompile_Plan_RecurrentParams.Direction {
    switch direction {
    case .forward: .forward
    case .reverse: .reverse
    case .bidirectional: .bidirectional
    }
  }
}
