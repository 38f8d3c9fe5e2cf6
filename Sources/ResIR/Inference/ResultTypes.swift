extension NodeContext {
  /// The types of the node's results, one per result, after validating its operands and attributes.
  func resultTypes() throws(ModelError) -> [TensorType] {
    switch node.op {
    case .conv(let attributes):
      return try withEpilogue(attributes.epilogue, convolution(attributes))
    case .gemm(let attributes):
      return try withEpilogue(attributes.epilogue, gemm(attributes))
    case .matMul(let epilogue):
      return try withEpilogue(epilogue, matMul())
    case .batchNormalization:
      return [try batchNormalization()]
    case .layerNormalization(let attributes):
      return try layerNormalization(attributes)
    case .scaleShift(let axis, let epilogue):
      return try withEpilogue(epilogue, scaleShift(axis: axis))
    case .lrn(let attributes):
      return [try lrn(attributes)]
    case .unary(let op):
      return [try unary(op)]
    case .clip:
      return [try clip()]
    case .binary(let op):
      return [try binary(op)]
    case .variadic(let op):
      return [try variadic(op)]
    case .where:
      return [try select()]
    case .gatedSkip:
      return [try gatedSkip()]
    case .cast(let dtype):
      return [try cast(to: dtype)]
    case .maxPool(let attributes):
      return [try pool(attributes, dtypes: .floatsAndBytes)]
    case .averagePool(let attributes):
      return [try pool(attributes, dtypes: .floats)]
    case .globalAveragePool:
      return [try globalAveragePool()]
    case .reduceMean(let axes, let keepDims):
      return [try reduceMean(axes: axes, keepDims: keepDims)]
    case .reduce(let kind, let axes, let keepDims):
      return [try reduceMean(axes: axes, keepDims: keepDims, kind: kind)]
    case .softmax(let axis, _):
      return [try softmax(axis: axis)]
    case .flatten(let axis):
      return [try flatten(axis: axis)]
    case .reshape(let allowZero):
      return [try reshape(allowZero: allowZero)]
    case .transpose(let perm):
      return [try transpose(perm: perm)]
    case .concat(let axis):
      return [try concat(axis: axis)]
    case .split(let axis, let sizes):
      return try split(axis: axis, sizes: sizes)
    case .slice:
      return [try slice()]
    case .squeeze(let axes):
      return [try squeeze(axes: axes)]
    case .unsqueeze(let axes):
      return [try unsqueeze(axes: axes)]
    case .gather(let axis):
      return [try gather(axis: axis)]
    case .shape(let start, let end):
      return [try shapeOf(start: start, end: end)]
    case .expand:
      return [try expand()]
    case .constantOfShape(let value):
      return [try constantOfShape(value)]
    case .pad(_, let pads):
      return [try pad(pads: pads)]
    case .range:
      return [try range()]
    case .scatterND:
      return [try scatterND()]
    case .gatherElements(let axis):
      return [try gatherElements(axis: axis)]
    case .cumSum(let axis, _, _):
      return [try cumSum(axis: axis)]
    case .trilu:
      return [try trilu()]
    case .resize(let attributes):
      return [try resize(attributes)]
    case .argReduce(let attributes):
      return [try argReduce(attributes)]
    case .topK(let attributes):
      return try topK(attributes)
    case .identity:
      return [try identity()]
    case .dropout:
      return try dropout()
    case .lstm(let attributes):
      return try recurrent(attributes, .lstm)
    case .gru(let attributes):
      return try recurrent(attributes, .gru)
    case .rnn(let attributes):
      return try recurrent(attributes, .rnn)
    }
  }

  /// The single result of a conv, gemm, matMul or scaleShift, after checking its epilogue against it.
  private func withEpilogue(_ epilogue: Epilogue, _ output: TensorType) throws(ModelError) -> [TensorType] {
    try checkEpilogue(epilogue, output: output)
    return [output]
  }
}
