/// numpy broadcasting, reduced to what kernels need: the broadcast shape of several operands, and for each
/// operand the element strides that read it as the output's shape (0 along broadcast axes).
///
/// Strides use wrapping multiplication: a shape with a zero-size axis may have other axes whose product does
/// not fit in an `Int`, and such a tensor has no elements, so its strides are never used.
enum Broadcast {
  /// The multidirectional broadcast of `shapes` (right-aligned; each axis equal or 1), or nil.
  static func shape(_ shapes: [[Int]]) -> [Int]? {
    let rank = shapes.map(\.count).max() ?? 0
    var result = [Int](repeating: 1, count: rank)
    for shape in shapes {
      let lead = rank - shape.count
      for (axis, size) in shape.enumerated() {
        let current = result[lead + axis]
        if current == 1 {
          result[lead + axis] = size
        } else if size != 1 && size != current {
          return nil
        }
      }
    }
    return result
  }

  /// Strides (in elements) that read a row-major tensor of `shape` at every index of `target`, or nil when
  /// `shape` does not broadcast to `target` unidirectionally.
  static func strides(of shape: [Int], into target: [Int]) -> [Int]? {
    guard shape.count <= target.count else { return nil }
    let lead = target.count - shape.count
    var strides = [Int](repeating: 0, count: target.count)
    var step = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
      let size = shape[axis]
      guard size == target[lead + axis] || size == 1 else { return nil }
      strides[lead + axis] = size == 1 ? 0 : step
      step &*= size
    }
    return strides
  }

  /// Moves `coordinates` to the next position of `shape` in row-major order (the last axis fastest); past the
  /// last position they wrap to all zeros.
  static func advance(_ coordinates: inout [Int], within shape: [Int]) {
    var axis = shape.count - 1
    while axis >= 0 {
      coordinates[axis] += 1
      if coordinates[axis] < shape[axis] { return }
      coordinates[axis] = 0
      axis -= 1
    }
  }

  /// Row-major strides of `shape`.
  static func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var step = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
      strides[axis] = step
      step &*= shape[axis]
    }
    return strides
  }
}
