import ResIR

/// OneHot: `values[1]` where the output's position along `axis` equals the index, `values[0]` elsewhere. The
/// depth must be known (it is the output's size); negative indices count from the depth, and indices outside
/// `[-depth, depth)` match no position, as ONNX says. Written as Equal of the unsqueezed indices with a
/// constant 0…depth−1 and a Where.
extension GraphBuilder {
  mutating func convertOneHot(_ node: ONNXNode) throws(ModelError) -> Conversion {
    try node.requireInputCount(atMost: 3)
    var indices = try node.requiredOperand(0, "indices")
    let depthValue = try node.requiredOperand(1, "depth")
    let values = try node.requiredOperand(2, "values")
    let largestDepth = Double(1 << 24)
    guard let depthConstant = constant(behind: depthValue), depthConstant.elementCount == 1,
      let depthNumber = depthConstant.doubles().first, depthNumber.isFinite, depthNumber >= 1,
      depthNumber <= largestDepth
    else { throw node.error("depth must be a known scalar between 1 and 2^24") }
    let depth = Int(depthNumber)
    let outputRank = rank(of: indices) + 1
    let axis = try normalizedAxis(try node.attributes.int("axis", default: -1), rank: outputRank, of: node)
    if graph.type(of: indices).dtype != .int64 {
      indices = try appendTyped(Conversion(.cast(to: .int64), [indices]), named: "\(node.name).indices")
    }
    let depthScalar = addScalar(Double(depth), dtype: .int64, named: "\(node.name)_depth")
    let wrapped = try wrappingNegative(indices, by: depthScalar, node)
    let column = try appendTyped(Conversion(.unsqueeze(axes: [axis]), [wrapped]), named: "\(node.name).column")
    var dims = Array(repeating: 1, count: outputRank)
    dims[axis] = depth
    let positions = addGeneratedConstant(
      "\(node.name)_positions", Constant(int64s: (0..<depth).map { Int64($0) }, dims: dims))
    let hot = try appendTyped(Conversion(.binary(.equal), [column, positions]), named: "\(node.name).hot")
    let off = try appendTyped(
      Conversion(.gather(axis: 0), [values, addScalar(0, dtype: .int64, named: "\(node.name)_off_slot")]),
      named: "\(node.name).off")
    let on = try appendTyped(
      Conversion(.gather(axis: 0), [values, addScalar(1, dtype: .int64, named: "\(node.name)_on_slot")]),
      named: "\(node.name).on")
    return Conversion(.where, [hot, on, off])
  }
}
