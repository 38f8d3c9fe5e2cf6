import ResIR

extension Op {
  /// The same op carrying `epilogue` instead of its own, for the ops that carry one (Conv, Gemm, MatMul,
  /// ScaleShift); nil for every other op. The fusion patterns build their rewritten producer with it.
  func replacingEpilogue(_ epilogue: Epilogue) -> Op? {
    switch self {
    case .conv(var attributes):
      attributes.epilogue = epilogue
      return .conv(attributes)
    case .gemm(var attributes):
      attributes.epilogue = epilogue
      return .gemm(attributes)
    case .matMul:
      return .matMul(epilogue)
    case .scaleShift(let axis, _):
      return .scaleShift(axis: axis, epilogue: epilogue)
    case .batchNormalization, .layerNormalization, .lrn, .unary, .clip, .binary, .variadic, .where, .gatedSkip, .cast,
      .maxPool, .averagePool, .globalAveragePool, .reduceMean, .reduce, .softmax, .flatten, .reshape, .transpose,
      .concat, .split, .slice, .squeeze, .unsqueeze, .gather, .shape, .expand, .constantOfShape, .pad, .range,
      .scatterND, .gatherElements, .cumSum, .trilu, .resize, .argReduce, .topK, .identity, .dropout, .lstm, .gru, .rnn:
      return nil
    }
  }
}
