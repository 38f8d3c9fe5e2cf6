import ResPlan

/// The rule for channels-last operands (plan.proto `ActivationLayout`): a step may read or write one only if
/// its operator was built for it, or if the step is elementwise over operands of one shape and one layout,
/// where each output element depends on the input elements at the same index, so the byte order does not
/// matter. Anything else would compute from the wrong elements without any memory error, so the plan is
/// refused instead.
enum ChannelsLastOperands {
  static func check(_ kernel: KernelID, _ operands: StepOperands, _ operation: any Operator) throws(RuntimeError) {
    let all = operands.inputs + operands.outputs
    guard let first = all.first(where: \.isChannelsLast), !operation.readsChannelsLast else { return }
    guard isLayoutBlind(kernel) else {
      throw operands.failure("\(first.label) is channels-last, which this kernel does not read or write")
    }
    guard let mismatch = all.first(where: { $0.shape != first.shape || $0.layout != first.layout }) else { return }
    throw operands.failure(
      "\(first.label) is channels-last, so every operand of this elementwise step must have its shape and layout; "
        + "\(mismatch.label) does not")
  }

  /// Kernels that compute each output element from the input elements at the same index when every operand
  /// has the same shape.
  private static func isLayoutBlind(_ kernel: KernelID) -> Bool {
    switch kernel {
    case .unary, .binary, .whereSelect, .cast, .f32GatedSkip: true
    case .f32ConvNCHWGeneric, .f32GemmGeneric, .f32MatMulGeneric, .f32RecurrentGeneric, .f32ChannelAffine,
      .f32LayerNorm, .f32LRN, .f32Pool, .f32ReduceMean, .f32ReduceSum, .f32ReduceMax, .f32ReduceMin, .f32ReduceProd,
      .f32Softmax, .copy, .gather, .pad, .scatterND, .gatherElements, .cumSum, .trilu, .resize, .argReduce, .topK,
      .fill, .f32Reorder:
      false
    }
  }
}
