import ResPlan

/// Builds the operator a plan step names: the one place that maps each `KernelID` to its operator and its
/// parameter message (an exhaustive switch: a new kernel cannot be forgotten here).
enum OperatorFactory {
  static func make(
    _ kernel: KernelID, _ params: Rescompile_Plan_Step.OneOf_Params?, _ operands: StepOperands
  ) throws(RuntimeError) -> any Operator {
    let mismatch = operands.failure("the parameters do not belong to this kernel (\(describe(params)))")
    switch kernel {
    case .f32ConvNCHWGeneric:
      guard case .conv(let message) = params else { throw mismatch }
      return try ConvOperator(message, operands)
    case .f32GemmGeneric:
      guard case .gemm(let message) = params else { throw mismatch }
      return try GemmOperator(message, operands)
    case .f32MatMulGeneric:
      guard case .matmul(let message) = params else { throw mismatch }
      return try MatMulOperator(message, operands)
    case .f32RecurrentGeneric:
      guard case .recurrent(let message) = params else { throw mismatch }
      return try RecurrentOperator(message, operands)
    case .f32ChannelAffine:
      guard case .channelAffine(let message) = params else { throw mismatch }
      return try ChannelAffineOperator(message, operands)
    case .f32LayerNorm:
      guard case .layerNorm(let message) = params else { throw mismatch }
      return try LayerNormOperator(message, operands)
    case .f32LRN:
      guard case .lrn(let message) = params else { throw mismatch }
      return try LRNOperator(message, operands)
    case .f32Pool:
      guard case .pool(let message) = params else { throw mismatch }
      return try PoolOperator(message, operands)
    case .f32ReduceMean:
      guard case .reduceMean(let message) = params else { throw mismatch }
      return try ReduceMeanOperator(message, operands, reduction: .mean)
    case .f32ReduceSum, .f32ReduceMax, .f32ReduceMin, .f32ReduceProd:
      guard case .reduceMean(let message) = params else { throw mismatch }
      let reductions: [KernelID: ReduceMeanOperator.Reduction] = [
        .f32ReduceSum: .sum, .f32ReduceMax: .max, .f32ReduceMin: .min, .f32ReduceProd: .prod,
      ]
      return try ReduceMeanOperator(message, operands, reduction: reductions[kernel] ?? .sum)
    case .f32Softmax:
      guard case .softmax(let message) = params else { throw mismatch }
      return try SoftmaxOperator(message, operands)
    case .unary:
      guard case .unary(let message) = params else { throw mismatch }
      return try UnaryOperator(message, operands)
    case .binary:
      guard case .binary(let message) = params else { throw mismatch }
      return try BinaryOperator(message, operands)
    case .whereSelect:
      guard case .where(let message) = params else { throw mismatch }
      return try WhereOperator(message, operands)
    case .cast:
      guard case .cast(let message) = params else { throw mismatch }
      return try CastOperator(message, operands)
    case .f32GatedSkip:
      guard case .gatedSkip(let message) = params else { throw mismatch }
      return try GatedSkipOperator(message, operands)
    case .copy:
      guard case .copy(let message) = params else { throw mismatch }
      return try CopyOperator(message, operands)
    case .gather:
      guard case .gather(let message) = params else { throw mismatch }
      return try GatherOperator(message, operands)
    case .pad:
      guard case .pad(let message) = params else { throw mismatch }
      return try PadOperator(message, operands)
    case .scatterND:
      guard case .scatterNd(let message) = params else { throw mismatch }
      return try ScatterNDOperator(message, operands)
    case .gatherElements:
      guard case .gatherElements(let message) = params else { throw mismatch }
      return try GatherElementsOperator(message, operands)
    case .cumSum:
      guard case .cumSum(let message) = params else { throw mismatch }
      return try CumSumOperator(message, operands)
    case .trilu:
      guard case .trilu(let message) = params else { throw mismatch }
      return try TriluOperator(message, operands)
    case .resize:
      guard case .resize(let message) = params else { throw mismatch }
      return try ResizeOperator(message, operands)
    case .argReduce:
      guard case .argReduce(let message) = params else { throw mismatch }
      return try ArgReduceOperator(message, operands)
    case .topK:
      guard case .topK(let message) = params else { throw mismatch }
      return try TopKOperator(message, operands)
    case .fill:
      guard case .fill(let message) = params else { throw mismatch }
      return try FillOperator(message, operands)
    case .f32Reorder:
      guard case .reorder(let message) = params else { throw mismatch }
      return try ReorderOperator(message, operands)
    }
  }

  /// Whether input `position` of `kernel` is a weight its operator reads through `StepOperands.panels`, the
  /// only operands a plan may store packed (plan.proto `PanelPacking`).
  static func readsPanels(_ kernel: KernelID, input position: Int) -> Bool {
    switch kernel {
    case .f32ConvNCHWGeneric, .f32MatMulGeneric: position == 1
    case .f32GemmGeneric: position == 0 || position == 1
    case .f32RecurrentGeneric, .f32ChannelAffine, .f32LayerNorm, .f32LRN, .f32Pool, .f32ReduceMean, .f32ReduceSum,
      .f32ReduceMax, .f32ReduceMin, .f32ReduceProd, .f32Softmax, .unary, .binary, .whereSelect, .cast, .f32GatedSkip,
      .copy, .gather, .pad, .scatterND, .gatherElements, .cumSum, .trilu, .resize, .argReduce, .topK, .fill,
      .f32Reorder:
      false
    }
  }

  /// Kernels whose output may be exactly the bytes of one of their inputs (in place): each output element
  /// depends only on the input elements at the same index, read before it is written; for a convolution, only
  /// its residual (checked by `ConvOperator`, which copies the residual first where its method needs to).
  static func allowsInPlace(_ kernel: KernelID) -> Bool {
    switch kernel {
    case .unary, .binary, .whereSelect, .cast, .f32ChannelAffine, .f32GatedSkip: true
    case .f32ConvNCHWGeneric: true
    case .f32GemmGeneric, .f32MatMulGeneric, .f32RecurrentGeneric, .f32LayerNorm, .f32LRN,
      .f32Pool, .f32ReduceMean, .f32ReduceSum, .f32ReduceMax, .f32ReduceMin, .f32ReduceProd, .f32Softmax, .copy,
      .gather, .pad, .scatterND, .gatherElements, .cumSum, .trilu, .resize, .argReduce, .topK, .fill, .f32Reorder:
      false
    }
  }

  private static func describe(_ params: Rescompile_Plan_Step.OneOf_Params?) -> String {
    switch params {
    case nil: "none given"
    case .conv: "ConvParams"
    case .gemm: "GemmParams"
    case .matmul: "MatMulParams"
    case .channelAffine: "ChannelAffineParams"
    case .layerNorm: "LayerNormParams"
    case .lrn: "LRNParams"
    case .unary: "UnaryParams"
    case .binary: "BinaryParams"
    case .where: "WhereParams"
    case .cast: "CastParams"
    case .pool: "PoolParams"
    case .reduceMean: "ReduceMeanParams"
    case .softmax: "SoftmaxParams"
    case .copy: "CopyParams"
    case .gather: "GatherParams"
    case .pad: "PadParams"
    case .fill: "FillParams"
    case .recurrent: "RecurrentParams"
    case .gatedSkip: "GatedSkipParams"
    case .reorder: "ReorderParams"
    case .scatterNd: "ScatterNDParams"
    case .gatherElements: "GatherElementsParams"
    case .cumSum: "CumSumParams"
    case .trilu: "TriluParams"
    case .resize: "ResizeParams"
    case .argReduce: "ArgReduceParams"
    case .topK: "TopKParams"
    }
  }
}
