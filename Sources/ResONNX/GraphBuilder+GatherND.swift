import ResIR

/// GatherND (LeViT's attention-bias lookup, `table[:, idx]` in the dynamo exporter): the first `b + r` axes of
/// data (b = batch_dims, r the indices' last dimension) are flattened into one, each index tuple becomes its
/// row-major position there (negative components counted from the end of their axis, as ONNX allows; the
/// batch coordinates added from constants), and a Gather along that axis does the rest. The index arithmetic
/// is int64 Slice, Mul, Add and Where, which fold when the indices are constants and run as integer steps when
/// they are not.
extension GraphBuilder {
  mutating func convertGatherND(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.requireInputCount(atMost: 2)
    let data = try node.requiredOperand(0, "data")
    let indices = try node.requiredOperand(1, "indices")
    let batchDims = try node.attributes.int("batch_dims", default: 0)
    let dataType = graph.type(of: data)
    let indexType = graph.type(of: indices)
    guard indexType.dtype == .int64, indexType.rank >= 1, let depth = indexType.shape.last?.value else {
      throw node.error("indices must be int64 with a known last dimension, not \(indexType)")
    }
    guard let dims = dataType.knownDims, batchDims >= 0, batchDims < indexType.rank, depth >= 1,
      batchDims + depth <= dims.count
    else {
      throw node.error(
        "indices \(indexType) with batch_dims \(batchDims) do not fit data \(dataType), whose shape must be known")
    }
    let tupleAxes = Array(dims.prefix(batchDims + depth))
    guard let rows = TensorType.checkedProduct(tupleAxes) else { throw node.error("data \(dataType) is too large") }
    var positions = try rowMajorPositions(indices, axes: Array(tupleAxes.dropFirst(batchDims)), node)
    if batchDims > 0 {
      let batchSizes = Array(tupleAxes.prefix(batchDims))
      positions = try withBatchCoordinates(positions, sizes: batchSizes, axes: tupleAxes, node)
    }
    let flatShape = addIntegers([rows] + dims.dropFirst(batchDims + depth), named: "\(node.name)_rows")
    let flat = try appendTyped(Conversion(.reshape(allowZero: true), [data, flatShape]), named: "\(node.name).rows")
    return Conversion(.gather(axis: 0), [flat, positions])
  }

  /// `positions` plus each batch coordinate times its stride: batch axis `j` of the positions (their leading
  /// axes are data's batch axes) contributes `j`'s index times the size of every data axis after it.
  private mutating func withBatchCoordinates(
    _ positions: ValueID, sizes: [Int], axes: [Int], _ node: ONNXNode
  ) throws(ModelError) -> ValueID {
    let rank = rank(of: positions)
    var sum = positions
    for (axis, size) in sizes.enumerated() {
      let stride = axes.dropFirst(axis + 1).reduce(1, *)
      var dims = Array(repeating: 1, count: rank)
      dims[axis] = size
      let offsets = Constant(int64s: (0..<size).map { Int64($0 * stride) }, dims: dims)
      let coordinate = addGeneratedConstant("\(node.name)_batch\(axis)", offsets)
      sum = try appendTyped(Conversion(.binary(.add), [sum, coordinate]), named: "\(node.name).batch\(axis)")
    }
    return sum
  }

  /// `Σᵢ index[…, i] · strideᵢ` over the last axis of `indices`, each component first made non-negative.
  private mutating func rowMajorPositions(
    _ indices: ValueID, axes: [Int], _ node: ONNXNode
  ) throws(ModelError) -> ValueID {
    let last = rank(of: indices) - 1
    let components = try wrappingNegative(indices, by: addIntegers(axes, named: "\(node.name)_sizes"), node)
    var position: ValueID?
    var stride = 1
    for axis in axes.indices.reversed() {
      let bounds: [ValueID?] = [
        components, addIntegers([axis], named: "\(node.name)_start\(axis)"),
        addIntegers([axis + 1], named: "\(node.name)_end\(axis)"),
        addIntegers([last], named: "\(node.name)_axis\(axis)"),
      ]
      var term = try appendTyped(Conversion(.slice, bounds), named: "\(node.name).component\(axis)")
      if stride != 1 {
        let factor = addScalar(Double(stride), dtype: .int64, named: "\(node.name)_stride\(axis)")
        term = try appendTyped(Conversion(.binary(.mul), [term, factor]), named: "\(node.name).scaled\(axis)")
      }
      if let sum = position {
        position = try appendTyped(Conversion(.binary(.add), [sum, term]), named: "\(node.name).position\(axis)")
      } else {
        position = term
      }
      stride *= axes[axis]
    }
    return try appendTyped(Conversion(.squeeze(axes: [last]), [position]), named: "\(node.name).positions")
  }
}
