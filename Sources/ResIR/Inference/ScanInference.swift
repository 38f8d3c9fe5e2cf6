extension NodeContext {
  /// CumSum: the input's type, for the numeric types ONNX sums (float and the wide integers).
  func cumSum(axis: Int) throws(ModelError) -> TensorType {
    let x = try operand(0)
    try requireDType(x, .floatsAndWideIntegers, "x")
    try requireAxis(axis, rank: x.rank)
    return x
  }

  /// Trilu: the input's type; the triangle is taken over the last two axes, so the rank is at least 2.
  func trilu() throws(ModelError) -> TensorType {
    let x = try operand(0)
    try requireRank(x, atLeast: 2, "input")
    return x
  }
}
