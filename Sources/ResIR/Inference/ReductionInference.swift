extension NodeContext {
  /// ReduceMean and the other reductions (`kind`): the reduced axes become 1 (`keepDims`) or disappear;
  /// `axes == nil` reduces every axis. ReduceMax and ReduceMin also take bool (any and all).
  func reduceMean(axes: [Int]?, keepDims: Bool, kind: ReduceKind? = nil) throws(ModelError) -> TensorType {
    let input = try operand(0)
    let allowsBool = kind == .max || kind == .min
    try requireDType(input, allowsBool ? .floatsWideIntegersAndBool : .floatsAndWideIntegers, "data")
    let reduced = axes ?? Array(0..<input.rank)
    try requireDistinctAxes(reduced, rank: input.rank)
    var shape: [Dim] = []
    for (axis, dim) in input.shape.enumerated() {
      if !reduced.contains(axis) {
        shape.append(dim)
      } else if keepDims {
        shape.append(.known(1))
      }
    }
    return TensorType(input.dtype, shape)
  }

  /// Softmax: same type; the axis must exist.
  func softmax(axis: Int) throws(ModelError) -> TensorType {
    let input = try operand(0)
    try requireDType(input, .floats, "input")
    try requireAxis(axis, rank: input.rank)
    return input
  }
}

extension NodeContext {
  /// ArgMax, ArgMin: int64 positions; the axis becomes 1 (`keepDims`) or disappears and must not be empty.
  func argReduce(_ attributes: ArgReduceAttributes) throws(ModelError) -> TensorType {
    let input = try operand(0)
    try requireDType(input, .floatsAndWideIntegers, "data")
    try requireAxis(attributes.axis, rank: input.rank)
    if case .known(0) = input.shape[attributes.axis] {
      throw error("axis \(attributes.axis) is empty: it has no \(attributes.max ? "maximum" : "minimum")")
    }
    var shape = input.shape
    if attributes.keepDims { shape[attributes.axis] = .known(1) } else { shape.remove(at: attributes.axis) }
    return TensorType(.int64, shape)
  }
}
