/// A view of a row-major tensor through arbitrary strides: the one mechanism behind broadcasting, Expand,
/// Transpose and Slice, which all read their input at positions `offset + Σ index[axis]·strides[axis]`.
struct StridedView {
  var shape: [Int]
  /// Per axis of `shape`, how far to move in the source for one step along that axis (0 for a broadcast axis,
  /// negative for a reversed slice).
  var strides: [Int]
  var offset: Int = 0

  /// The source position of every element of the view, in row-major order of `shape`.
  ///
  /// An odometer over the axes, not recursion: the innermost axis advances by its stride, and a carry resets
  /// it and advances the next.
  func sourceIndices() -> [Int] {
    let count = ShapeArithmetic.product(shape) ?? 0
    guard count > 0 else { return [] }
    var indices = [Int](repeating: 0, count: count)
    var counter = [Int](repeating: 0, count: shape.count)
    var position = offset
    for i in 0..<count {
      indices[i] = position
      var axis = shape.count - 1
      while axis >= 0 {
        counter[axis] += 1
        position += strides[axis]
        if counter[axis] < shape[axis] { break }
        position -= strides[axis] * shape[axis]
        counter[axis] = 0
        axis -= 1
      }
    }
    return indices
  }

  /// The view of a tensor of `sourceShape` broadcast (numpy rules, aligned at the trailing axes) to
  /// `shape`; the caller has checked that it broadcasts.
  static func broadcasting(_ sourceShape: [Int], to shape: [Int]) -> StridedView {
    let sourceStrides = ShapeArithmetic.strides(sourceShape)
    let lead = shape.count - sourceShape.count
    var strides = [Int](repeating: 0, count: shape.count)
    for axis in sourceShape.indices where sourceShape[axis] != 1 {
      strides[lead + axis] = sourceStrides[axis]
    }
    return StridedView(shape: shape, strides: strides)
  }
}
