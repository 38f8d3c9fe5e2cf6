extension NodeContext {
  /// MaxPool and AveragePool: `[N, C, spatial...] → [N, C, out...]`, with ceil mode and SAME padding.
  func pool(_ attributes: PoolAttributes, dtypes: DTypeConstraint) throws(ModelError) -> TensorType {
    let input = try operand(0)
    try requireDType(input, dtypes, "input")
    try requireRank(input, atLeast: 3, "input", layout: "N, C, spatial...")
    let spatialRank = input.rank - 2
    let window = try SlidingWindow(
      kernel: attributes.kernelShape, strides: attributes.strides, dilations: attributes.dilations,
      padding: attributes.padding, ceilMode: attributes.ceilMode, spatialRank: spatialRank, context: self)
    var shape = Array(input.shape.prefix(2))
    for axis in 0..<spatialRank {
      shape.append(try window.outputDim(axis: axis, input: input.shape[2 + axis], context: self))
    }
    return TensorType(input.dtype, shape)
  }

  /// GlobalAveragePool: every spatial axis becomes 1.
  func globalAveragePool() throws(ModelError) -> TensorType {
    let input = try operand(0)
    try requireDType(input, .floats, "input")
    try requireRank(input, atLeast: 2, "input", layout: "N, C, spatial...")
    let spatial = [Dim](repeating: .known(1), count: input.rank - 2)
    return TensorType(input.dtype, Array(input.shape.prefix(2)) + spatial)
  }
}
