import ResIR

/// ONNX ArgMax and ArgMin: the int64 position of the extreme along the axis, the first of equal extremes (the
/// last with `selectLastIndex`). A NaN is the extreme (the first NaN, or the last), as numpy and onnxruntime
/// treat it.
enum ArgReduce {
  static func evaluate(_ operands: NodeOperands, _ attributes: ArgReduceAttributes) throws(EvaluationFailure)
    -> ReferenceTensor
  {
    let x = try operands.required(0, "data")
    let axis = try ShapeArithmetic.axis(attributes.axis, rank: x.rank)
    let layout = AxisReduction(shape: x.shape, axis: axis)
    guard layout.axisSize > 0 else { throw EvaluationFailure("axis \(axis) is empty") }
    let values = x.doubles
    var positions: [Int64] = []
    positions.reserveCapacity(layout.outer * layout.inner)
    for outer in 0..<layout.outer {
      for inner in 0..<layout.inner {
        var best = 0
        for position in 1..<layout.axisSize {
          let candidate = values[(outer * layout.axisSize + position) * layout.inner + inner]
          let current = values[(outer * layout.axisSize + best) * layout.inner + inner]
          if replaces(candidate, current, attributes) { best = position }
        }
        positions.append(Int64(best))
      }
    }
    var shape = x.shape
    if attributes.keepDims { shape[axis] = 1 } else { shape.remove(at: axis) }
    return ReferenceTensor(dtype: .int64, shape: shape, storage: .integral(positions))
  }

  /// Whether `candidate`, later on the axis, takes the place of the extreme so far.
  static func replaces(_ candidate: Double, _ current: Double, _ attributes: ArgReduceAttributes) -> Bool {
    if current.isNaN { return candidate.isNaN && attributes.selectLastIndex }
    if candidate.isNaN { return true }
    if candidate == current { return attributes.selectLastIndex }
    return attributes.max ? candidate > current : candidate < current
  }
}
