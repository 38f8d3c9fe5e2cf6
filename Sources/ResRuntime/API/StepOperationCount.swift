import ResPlan

/// Floating-point operations of one plan step, counted from its buffer shapes, for the GFLOP/s column of a
/// profile. Only the dense kernels have a count (a multiply–add counts two); elementwise and data movement
/// steps are limited by memory, where GFLOP/s says little.
enum StepOperationCount {
  static func of(kernel: KernelID, inputs: [PlanBuffer], outputs: [PlanBuffer]) -> Int? {
    guard let output = outputs.first, let first = inputs.first else { return nil }
    switch kernel {
    case .f32ConvNCHWGeneric:
      // W holds M · C/group · kernel-size weights for M = Y's channels: each output element takes C/group ·
      // kernel-size multiply–adds.
      guard inputs.count > 1, output.rank > 1, output.shape[1] > 0 else { return nil }
      return multiplyAdds(output.count, inputs[1].count / output.shape[1])
    case .f32GemmGeneric:
      // A is [M, K] or [K, M] and Y is [M, N]: K is A's size over Y's rows.
      guard output.rank == 2, output.shape[0] > 0 else { return nil }
      return multiplyAdds(output.count, first.count / output.shape[0])
    case .f32MatMulGeneric:
      return first.shape.last.flatMap { multiplyAdds(output.count, $0) }
    case .f32RecurrentGeneric, .f32ChannelAffine, .f32LayerNorm, .f32LRN, .f32Pool, .f32ReduceMean, .f32ReduceSum,
      .f32ReduceMax, .f32ReduceMin, .f32ReduceProd, .f32Softmax, .unary, .binary, .whereSelect, .cast, .f32GatedSkip,
      .copy, .gather, .pad, .scatterND, .gatherElements, .cumSum, .trilu, .resize, .argReduce, .topK, .fill,
      .f32Reorder:
      return nil
    }
  }

  /// 2 · outputs · depth, or nil when it overflows.
  private static func multiplyAdds(_ outputs: Int, _ depth: Int) -> Int? {
    let (product, overflow) = outputs.multipliedReportingOverflow(by: depth)
    let (doubled, overflowTwice) = product.multipliedReportingOverflow(by: 2)
    return overflow || overflowTwice ? nil : doubled
  }
}
