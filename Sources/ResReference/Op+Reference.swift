import ResIR

extension Op {
  /// What the op computes on concrete operands: one tensor per result, in result order.
  ///
  /// The one switch over every op (exhaustive, no `default`): a new `Op` case cannot be added without saying
  /// here how the reference evaluator computes it.
  func evaluate(_ operands: NodeOperands) throws(EvaluationFailure) -> [ReferenceTensor] {
    switch self {
    case .conv(let attributes): [try Convolution.evaluate(operands, attributes)]
    case .gemm(let attributes): [try Gemm.evaluate(operands, attributes)]
    case .matMul(let epilogue): [try MatMul.evaluate(operands, epilogue)]
    case .batchNormalization(let epsilon): [try BatchNormalization.evaluate(operands, epsilon: epsilon)]
    case .layerNormalization(let attributes): try LayerNormalization.evaluate(operands, attributes)
    case .scaleShift(let axis, let epilogue): [try ScaleShift.evaluate(operands, axis: axis, epilogue: epilogue)]
    case .lrn(let attributes): [try LocalResponseNormalization.evaluate(operands, attributes)]
    case .unary(let op): [try Unary.evaluate(operands, op)]
    case .clip: [try Clip.evaluate(operands)]
    case .binary(let op): [try Binary.evaluate(operands, op)]
    case .variadic(let op): [try Variadic.evaluate(operands, op)]
    case .where: [try Where.evaluate(operands)]
    case .gatedSkip: [try GatedSkip.evaluate(operands)]
    case .cast(let dtype): [try Cast.evaluate(operands, to: dtype)]
    case .maxPool(let attributes): [try Pooling.evaluate(operands, attributes, .max)]
    case .averagePool(let attributes):
      [try Pooling.evaluate(operands, attributes, .average(countIncludePad: attributes.countIncludePad))]
    case .globalAveragePool: [try Pooling.globalAverage(operands)]
    case .reduceMean(let axes, let keepDims): [try ReduceMean.evaluate(operands, axes: axes, keepDims: keepDims)]
    case .reduce(let kind, let axes, let keepDims):
      [try ReduceMean.evaluate(operands, axes: axes, keepDims: keepDims, kind: kind)]
    case .softmax(let axis, let coerced2D): [try Softmax.evaluate(operands, axis: axis, coerced2D: coerced2D)]
    case .flatten(let axis): [try Reshaping.flatten(operands, axis: axis)]
    case .reshape(let allowZero): [try Reshaping.reshape(operands, allowZero: allowZero)]
    case .transpose(let perm): [try Transpose.evaluate(operands, perm: perm)]
    case .concat(let axis): [try ConcatSplit.concat(operands, axis: axis)]
    case .split(let axis, let sizes): try ConcatSplit.split(operands, axis: axis, sizes: sizes)
    case .slice: [try Slice.evaluate(operands)]
    case .squeeze(let axes): [try Reshaping.squeeze(operands, axes: axes)]
    case .unsqueeze(let axes): [try Reshaping.unsqueeze(operands, axes: axes)]
    case .gather(let axis): [try Gather.evaluate(operands, axis: axis)]
    case .shape(let start, let end): [try ShapeOps.shape(operands, start: start, end: end)]
    case .expand: [try ShapeOps.expand(operands)]
    case .constantOfShape(let value): [try ShapeOps.constantOfShape(operands, value: value)]
    case .pad(let mode, let pads): [try Pad.evaluate(operands, mode: mode, pads: pads)]
    case .range: [try ArithmeticRange.evaluate(operands)]
    case .gatherElements(let axis): [try GatherElements.evaluate(operands, axis: axis)]
    case .cumSum(let axis, let exclusive, let reverse):
      [try CumulativeSum.evaluate(operands, axis: axis, exclusive: exclusive, reverse: reverse)]
    case .trilu(let upper, let k): [try Trilu.evaluate(operands, upper: upper, k: k)]
    case .resize(let attributes): [try Resize.evaluate(operands, attributes)]
    case .argReduce(let attributes): [try ArgReduce.evaluate(operands, attributes)]
    case .topK(let attributes): try TopK.evaluate(operands, attributes)
    case .scatterND(let reduction): [try ScatterND.evaluate(operands, reduction: reduction)]
    case .identity: [try operands.required(0, "input")]
    case .dropout: try Dropout.evaluate(operands)
    case .lstm(let attributes): try LSTM.evaluate(operands, attributes)
    case .gru(let attributes): try GRU.evaluate(operands, attributes)
    case .rnn(let attributes): try RNN.evaluate(operands, attributes)
    }
  }
}
