import ResIR

extension GraphLowering {
  /// Lowers one node: the one switch over every op, each case handing the node to its family's lowering.
  ///
  /// Exhaustive without `default`: a new `Op` case cannot compile until codegen says how to run it.
  mutating func lower(_ node: Node) throws(ModelError) {
    switch node.op {
    case .conv(let attributes): try lowerConvolution(node, attributes)
    case .gemm(let attributes): try lowerGemm(node, attributes)
    case .matMul(let epilogue): try lowerMatMul(node, epilogue)
    case .batchNormalization(let epsilon): try lowerBatchNormalization(node, epsilon: epsilon)
    case .layerNormalization(let attributes): try lowerLayerNormalization(node, attributes)
    case .scaleShift(let axis, let epilogue): try lowerScaleShift(node, axis: axis, epilogue: epilogue)
    case .lrn(let attributes): try lowerLRN(node, attributes)
    case .unary(let op): try lowerUnary(node, op)
    case .clip: try lowerClip(node)
    case .binary(let op): try lowerBinary(node, op)
    case .variadic(let op): try lowerVariadic(node, op)
    case .where: try lowerWhere(node)
    case .gatedSkip: try lowerGatedSkip(node)
    case .cast(let dtype): try lowerCast(node, to: dtype)
    case .maxPool(let attributes): try lowerPool(node, attributes, kind: .max)
    case .averagePool(let attributes): try lowerPool(node, attributes, kind: .average)
    case .globalAveragePool: try lowerGlobalAveragePool(node)
    case .reduceMean(let axes, _): try lowerReduce(node, axes: axes, kernel: .f32ReduceMean)
    case .reduce(let kind, let axes, _): try lowerReduce(node, axes: axes, kernel: Self.reduceKernel(kind))
    case .softmax(let axis, let coerced2D): try lowerSoftmax(node, axis: axis, coerced2D: coerced2D)
    case .flatten, .reshape, .squeeze, .unsqueeze, .identity: try lowerView(node)
    case .transpose(let perm): try lowerTranspose(node, perm: perm)
    case .concat(let axis): try lowerConcat(node, axis: axis)
    case .split(let axis, _): try lowerSplit(node, axis: axis)
    case .slice: try lowerSlice(node)
    case .gather(let axis): try lowerGather(node, axis: axis)
    case .shape(let start, let end): try lowerShape(node, start: start, end: end)
    case .expand: try lowerExpand(node)
    case .constantOfShape(let value): try lowerConstantOfShape(node, value: value)
    case .pad(let mode, let pads): try lowerPad(node, mode: mode, pads: pads)
    case .range:
      throw ModelError(node, "a Range is computed when compiling, but this one's bounds are only known at run time")
    case .scatterND(let reduction): try lowerScatterND(node, reduction: reduction)
    case .gatherElements(let axis): try lowerGatherElements(node, axis: axis)
    case .cumSum(let axis, let exclusive, let reverse):
      try lowerCumSum(node, axis: axis, exclusive: exclusive, reverse: reverse)
    case .trilu(let upper, let k): try lowerTrilu(node, upper: upper, k: k)
    case .resize(let attributes): try lowerResize(node, attributes)
    case .argReduce(let attributes): try lowerArgReduce(node, attributes)
    case .topK(let attributes): try lowerTopK(node, attributes)
    case .dropout: try lowerDropout(node)
    case .lstm(let attributes): try lowerRecurrent(node, attributes, cell: .lstm)
    case .gru(let attributes): try lowerRecurrent(node, attributes, cell: .gru)
    case .rnn(let attributes): try lowerRecurrent(node, attributes, cell: .rnn)
    }
  }
}
