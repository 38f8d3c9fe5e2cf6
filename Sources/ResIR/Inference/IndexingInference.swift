extension NodeContext {
  /// Gather: `data[:axis] + indices.shape + data[axis+1:]`. Known indices are checked against a known axis
  /// size (ONNX allows negative indices down to `-size`).
  func gather(axis: Int) throws(ModelError) -> TensorType {
    let data = try operand(0)
    let indices = try operand(1)
    try requireDType(indices, .indices, "indices")
    try requireAxis(axis, rank: data.rank)
    if case .known(let size) = data.shape[axis], let values = integers(1) {
      for index in values where index < -size || index >= size {
        throw error("index \(index) is out of range for axis \(axis) of size \(size)")
      }
    }
    let shape = Array(data.shape[..<axis]) + indices.shape + Array(data.shape[(axis + 1)...])
    return TensorType(data.dtype, shape)
  }

  /// Shape: the input's dimensions `start..<end` as an int64 vector. Like ONNX, negative bounds count from
  /// the end and both clamp to `[0, rank]`.
  func shapeOf(start: Int, end: Int?) throws(ModelError) -> TensorType {
    let range = NodeContext.shapeRange(start: start, end: end, rank: try operand(0).rank)
    return TensorType(.int64, dims: [range.count])
  }

  /// The axes a Shape node reports.
  static func shapeRange(start: Int, end: Int?, rank: Int) -> Range<Int> {
    func clamped(_ bound: Int) -> Int { min(max(bound < 0 ? bound + rank : bound, 0), rank) }
    let first = clamped(start)
    return first..<max(first, clamped(end ?? rank))
  }

  /// Expand: the input broadcast with the requested shape (a 1 in the shape keeps the input's size).
  func expand() throws(ModelError) -> TensorType {
    let input = try operand(0)
    let requested = try requestedShape(slot: 1, "shape")
    return TensorType(input.dtype, try broadcastOperands([input.shape, requested]))
  }

  /// ConstantOfShape: a tensor of the requested shape filled with `value`.
  func constantOfShape(_ value: ScalarValue) throws(ModelError) -> TensorType {
    TensorType(value.dtype, try requestedShape(slot: 0, "input"))
  }

  /// A shape given as an int64 vector operand: its known elements as dimensions (unknown elsewhere). The
  /// vector's length must be known, because it is the result's rank.
  private func requestedShape(slot: Int, _ what: String) throws(ModelError) -> [Dim] {
    let length = try rankOneLength(slot: slot, what)
    guard let elements = elements(slot) else { return [Dim](repeating: .unknown, count: length) }
    var shape: [Dim] = []
    for element in elements {
      if let value = element?.constant, value < 0 {
        throw error("\(what) \(shapeText(elements.map { $0?.dim ?? .unknown })) has negative element \(value)")
      }
      shape.append(element?.dim ?? .unknown)
    }
    return shape
  }
}

extension NodeContext {
  /// ScatterND: data's type. The last axis of `indices` (int64, length `k`, `1 ≤ k ≤ rank(data)`) addresses
  /// data's first `k` axes, so `updates` has the shape `indices.shape[..<last] + data.shape[k...]`. Known
  /// indices are checked against data's known dimensions (negative ones count from the end, as in ONNX).
  func scatterND() throws(ModelError) -> TensorType {
    let data = try operand(0)
    let indices = try operand(1)
    let updates = try operand(2)
    try requireDType(indices, .int64, "indices")
    guard updates.dtype == data.dtype else {
      throw error("updates is \(updates.dtype.onnxName) but data is \(data.dtype.onnxName)")
    }
    try requireRank(indices, atLeast: 1, "indices")
    guard case .known(let depth) = indices.shape[indices.rank - 1], depth >= 1, depth <= data.rank else {
      throw error(
        "indices \(shapeText(indices.shape)) must end in a known length from 1 to data's rank \(data.rank)")
    }
    let expected = Array(indices.shape.dropLast()) + Array(data.shape[depth...])
    guard updates.rank == expected.count, zip(updates.shape, expected).allSatisfy({ Self.compatible($0, $1) }) else {
      throw error("updates has shape \(shapeText(updates.shape)), expected \(shapeText(expected))")
    }
    try checkScatterIndices(data: data, depth: depth)
    return data
  }

  /// Every known index tuple must address an element of data's known dimensions.
  private func checkScatterIndices(data: TensorType, depth: Int) throws(ModelError) {
    guard let values = integers(1) else { return }
    for (position, index) in values.enumerated() {
      let axis = position % depth
      guard case .known(let size) = data.shape[axis] else { continue }
      if index < -size || index >= size {
        throw error("index \(index) is out of range for axis \(axis) of size \(size)")
      }
    }
  }

  /// Two dimensions that could be equal: unknown on either side, or the same size or symbol.
  private static func compatible(_ a: Dim, _ b: Dim) -> Bool {
    a == .unknown || b == .unknown || a == b
  }
}

extension NodeContext {
  /// GatherElements: data's type in indices' shape; both have one rank, and every axis but `axis` of indices
  /// fits inside data's. Known indices are checked against a known axis size.
  func gatherElements(axis: Int) throws(ModelError) -> TensorType {
    let data = try operand(0)
    let indices = try operand(1)
    try requireDType(indices, .indices, "indices")
    try requireRank(indices, data.rank, "indices")
    try requireAxis(axis, rank: data.rank)
    for (position, (size, bound)) in zip(indices.shape, data.shape).enumerated() where position != axis {
      if case .known(let count) = size, case .known(let limit) = bound, count > limit {
        throw error(
          "indices \(shapeText(indices.shape)) exceed data \(shapeText(data.shape)) on axis \(position)")
      }
    }
    if case .known(let size) = data.shape[axis], let values = integers(1) {
      for index in values where index < -size || index >= size {
        throw error("index \(index) is out of range for axis \(axis) of size \(size)")
      }
    }
    return TensorType(data.dtype, indices.shape)
  }
}
