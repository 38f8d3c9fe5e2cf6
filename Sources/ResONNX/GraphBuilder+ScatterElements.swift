import ResIR

/// ScatterElements (and its opset 9–10 name, Scatter) as ScatterND: each element of `indices` names one
/// position of data, its own coordinates on every axis but `axis`, where the index itself (negative counted
/// from the axis' end) is the coordinate. Those tuples are the indices of an equivalent ScatterND with the
/// same reduction, applied in the same order.
extension GraphBuilder {
  mutating func convertScatterElements(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.requireInputCount(atMost: 3)
    let data = try node.requiredOperand(0, "data")
    let indices = try node.requiredOperand(1, "indices")
    let updates = try node.requiredOperand(2, "updates")
    let name = try node.attributes.string("reduction", default: "none")
    guard let reduction = ScatterReduction(rawValue: name) else {
      throw node.error("reduction '\(name)' is not one of none, add, mul, max, min")
    }
    let dataType = graph.type(of: data)
    let axis = try normalizedAxis(try node.attributes.int("axis", default: 0), rank: dataType.rank, of: node)
    let indexType = graph.type(of: indices)
    guard indexType.dtype.isInteger, indexType.rank == dataType.rank, let shape = indexType.knownDims,
      let count = TensorType.checkedProduct(shape), count <= 1 << 24, let axisSize = dataType.shape[axis].value
    else {
      throw node.error(
        "indices \(indexType) must be integers of data's rank with a known shape, and axis \(axis) known")
    }
    var components: [ValueID?] = []
    for coordinateAxis in shape.indices {
      if coordinateAxis == axis {
        components.append(try wrappedIndices(indices, size: axisSize, node))
      } else {
        components.append(addGeneratedConstant(
          "\(node.name)_coordinate\(coordinateAxis)", Self.coordinates(along: coordinateAxis, of: shape)))
      }
    }
    let tuples = try appendTyped(Conversion(.concat(axis: shape.count), components), named: "\(node.name).tuples")
    return Conversion(.scatterND(reduction), [data, tuples, updates])
  }

  /// int64 indices with one trailing axis, negative ones counted from `size`.
  private mutating func wrappedIndices(_ indices: ValueID, size: Int, _ node: ONNXNode) throws(ModelError) -> ValueID {
    var index = indices
    if graph.type(of: indices).dtype != .int64 {
      index = try appendTyped(Conversion(.cast(to: .int64), [indices]), named: "\(node.name).indices")
    }
    let sizeValue = addScalar(Double(size), dtype: .int64, named: "\(node.name)_size")
    let wrapped = try wrappingNegative(index, by: sizeValue, node)
    return try appendTyped(Conversion(.unsqueeze(axes: [rank(of: index)]), [wrapped]), named: "\(node.name).component")
  }

  /// Every position's coordinate along `axis`, as an int64 tensor of `shape` with one trailing axis.
  private static func coordinates(along axis: Int, of shape: [Int]) -> Constant {
    let inner = shape.dropFirst(axis + 1).reduce(1, *)
    let count = shape.reduce(1, *)
    let values = (0..<count).map { Int64(($0 / inner) % shape[axis]) }
    return Constant(int64s: values, dims: shape + [1])
  }
}
