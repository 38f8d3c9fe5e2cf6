extension NodeContext {
  /// Transpose: `perm` must be a permutation of the input's axes.
  func transpose(perm: [Int]) throws(ModelError) -> TensorType {
    let input = try operand(0)
    guard perm.count == input.rank, perm.sorted() == Array(0..<input.rank) else {
      throw error("perm \(listText(perm)) is not a permutation of the input's \(input.rank) axes")
    }
    return TensorType(input.dtype, perm.map { input.shape[$0] })
  }

  /// Concat: operands agree on every axis but `axis`, whose sizes add up.
  func concat(axis: Int) throws(ModelError) -> TensorType {
    let first = try operand(0)
    try requireSameDTypeForAllOperands()
    try requireAxis(axis, rank: first.rank)
    var shape = first.shape
    var axisTotal = Monomial(first.shape[axis])
    for (index, type) in presentOperands.enumerated().dropFirst() {
      guard type.rank == first.rank else {
        throw error("operand \(index + 1) has rank \(type.rank) but operand 1 has rank \(first.rank)")
      }
      for (i, dim) in type.shape.enumerated() where i != axis {
        guard let unified = Broadcasting.unify(shape[i], dim) else {
          let shapes = "operand \(index + 1) \(shapeText(type.shape)) differs from operand 1 \(shapeText(first.shape))"
          throw error("\(shapes) on axis \(i)")
        }
        shape[i] = unified
      }
      axisTotal = Monomial(type.shape[axis]).flatMap { size in axisTotal?.adding(size) }
    }
    if let total = axisTotal {
      shape[axis] = total.dim
    } else if presentOperands.allSatisfy({ $0.shape[axis].value != nil }) {
      throw error("the sizes along axis \(axis) add up to more than a 64-bit integer can count")
    } else {
      shape[axis] = .unknown
    }
    return TensorType(first.dtype, shape)
  }

  /// Split: one result per size; the sizes must add up to the axis when it is known.
  func split(axis: Int, sizes: [Int]) throws(ModelError) -> [TensorType] {
    let input = try operand(0)
    try requireAxis(axis, rank: input.rank)
    guard !sizes.isEmpty else { throw error("split has no sizes") }
    guard sizes.allSatisfy({ $0 >= 0 }) else { throw error("split sizes \(listText(sizes)) must not be negative") }
    if case .known(let size) = input.shape[axis] {
      let total = CheckedArithmetic.sum(sizes)
      guard total == size else {
        let sum = total.map(String.init) ?? "more than Int.max"
        throw error("split sizes \(listText(sizes)) sum to \(sum) but axis \(axis) has \(size)")
      }
    }
    return sizes.map { size in
      var shape = input.shape
      shape[axis] = .known(size)
      return TensorType(input.dtype, shape)
    }
  }

  /// Squeeze: removes the listed size-1 axes, or every size-1 axis when `axes == nil` (which needs every
  /// dimension known, or the result's rank would not be).
  func squeeze(axes: [Int]?) throws(ModelError) -> TensorType {
    let input = try operand(0)
    guard let axes else {
      if let unknownAxis = input.shape.firstIndex(where: { $0.value == nil }) {
        let shape = shapeText(input.shape)
        throw error("Squeeze without axes needs every dimension known, but axis \(unknownAxis) of \(shape) is not")
      }
      return TensorType(input.dtype, input.shape.filter { $0 != .known(1) })
    }
    try requireDistinctAxes(axes, rank: input.rank)
    for axis in axes {
      if case .known(let size) = input.shape[axis], size != 1 {
        throw error("cannot squeeze axis \(axis) of size \(size)")
      }
    }
    return TensorType(input.dtype, input.shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element))
  }

  /// Unsqueeze: inserts size-1 axes at the listed positions of the result.
  func unsqueeze(axes: [Int]) throws(ModelError) -> TensorType {
    let input = try operand(0)
    let rank = input.rank + axes.count
    try requireDistinctAxes(axes, rank: rank)
    var remaining = input.shape.makeIterator()
    let shape = (0..<rank).map { axis in axes.contains(axis) ? .known(1) : (remaining.next() ?? .unknown) }
    return TensorType(input.dtype, shape)
  }

  /// Pad: each axis grows by its begin and end pads (negative pads crop, as ONNX allows). A symbolic axis
  /// keeps its symbol only when it is not padded.
  func pad(pads: [Int]) throws(ModelError) -> TensorType {
    let input = try operand(0)
    try requireSameDType([0, 1])
    guard pads.count == 2 * input.rank else {
      throw error("pads \(listText(pads)) has \(pads.count) entries, expected \(2 * input.rank) (begins, then ends)")
    }
    if let value = optionalOperand(1) { try requireScalar(value, "constant_value") }
    var shape: [Dim] = []
    for (axis, dim) in input.shape.enumerated() {
      let (begin, end) = (pads[axis], pads[input.rank + axis])
      guard case .known(let size) = dim else {
        shape.append(begin == 0 && end == 0 ? dim : .unknown)
        continue
      }
      guard let padded = CheckedArithmetic.sum([size, begin, end]) else {
        throw error("padding axis \(axis) overflows a 64-bit integer")
      }
      guard padded >= 0 else {
        throw error("pads \(begin) and \(end) on axis \(axis) of size \(size) leave a negative size")
      }
      shape.append(.known(padded))
    }
    return TensorType(input.dtype, shape)
  }
}
