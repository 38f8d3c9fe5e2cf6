extension NodeContext {
  /// TopK: Values in X's type and int64 Indices, both X's shape with `k` along the axis. `k` must fit the axis:
  /// where the axis length is a number it is checked here, and a symbolic one is checked again once codegen
  /// binds it.
  func topK(_ attributes: TopKAttributes) throws(ModelError) -> [TensorType] {
    let input = try operand(0)
    try requireDType(input, .numeric, "X")
    try requireAxis(attributes.axis, rank: input.rank)
    guard attributes.k >= 0 else { throw error("k \(attributes.k) is negative") }
    if let length = input.shape[attributes.axis].value, attributes.k > length {
      throw error("k \(attributes.k) is larger than the length \(length) of axis \(attributes.axis) of X \(input)")
    }
    var shape = input.shape
    shape[attributes.axis] = .known(attributes.k)
    return [TensorType(input.dtype, shape), TensorType(.int64, shape)]
  }
}
