extension NodeContext {
  /// Resize: X's type with each axis `sizes[i]` long (−1 keeps X's length, which may be symbolic). The importer
  /// settled the sizes; here they are checked against X's rank and each scale against its axis.
  func resize(_ attributes: ResizeAttributes) throws(ModelError) -> TensorType {
    let x = try operand(0)
    try requireDType(x, .floats, "X")
    guard attributes.sizes.count == x.rank, attributes.scales.count == x.rank else {
      throw error(
        "sizes \(listText(attributes.sizes)) and \(attributes.scales.count) scales must have one entry per axis of X "
          + "\(shapeText(x.shape))")
    }
    var shape: [Dim] = []
    for (axis, (size, scale)) in zip(attributes.sizes, attributes.scales).enumerated() {
      guard scale.isFinite, scale > 0 else { throw error("scale \(scale) of axis \(axis) must be positive") }
      guard size != -1 else {
        guard scale == 1 else { throw error("axis \(axis) keeps its length but has scale \(scale)") }
        shape.append(x.shape[axis])
        continue
      }
      guard size >= 0 else { throw error("size \(size) of axis \(axis) is negative") }
      shape.append(.known(size))
    }
    return TensorType(x.dtype, shape)
  }
}
