import ResIR

/// Sizes, strides and axes computed without trapping on hostile shapes.
enum ShapeArithmetic {
  /// The largest tensor the evaluator builds (2^28 elements, 2 GiB of doubles): a reference evaluator never
  /// needs more for the networks rescompile compiles, and a hostile shape (ConstantOfShape of [1e12]) is
  /// reported instead of exhausting memory.
  static let maximumElementCount = 1 << 28

  /// The product of `shape`, or `nil` on a negative dimension or overflow.
  static func product(_ shape: some Collection<Int>) -> Int? {
    TensorType.checkedProduct(Array(shape))
  }

  /// The element count of a tensor the evaluator is about to build; too large or malformed shapes fail.
  static func elementCount(_ shape: [Int]) throws(EvaluationFailure) -> Int {
    guard let count = product(shape) else {
      throw EvaluationFailure("shape \(describe(shape)) has a negative dimension or too many elements")
    }
    guard count <= maximumElementCount else {
      throw EvaluationFailure(
        "shape \(describe(shape)) has \(count) elements, more than the reference evaluator's limit of "
          + "\(maximumElementCount)")
    }
    return count
  }

  /// Row-major strides: the distance in elements between neighbours along each axis.
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

  static func strides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var running = 1
    for axis in shape.indices.reversed() {
      strides[axis] = running
      running = running &* max(shape[axis], 1)
    }
    return strides
  }

  /// An axis in `-rank..<rank` made non-negative.
  static func axis(_ axis: Int, rank: Int, what: String = "axis") throws(EvaluationFailure) -> Int {
    guard axis >= -rank && axis < rank else {
      throw EvaluationFailure("\(what) \(axis) is out of range for rank \(rank)")
    }
    return axis < 0 ? axis + rank : axis
  }

  /// Distinct axes in `-rank..<rank`, made non-negative, in the order given.
  static func distinctAxes(_ axes: [Int], rank: Int) throws(EvaluationFailure) -> [Int] {
    var result: [Int] = []
    for a in axes {
      let normalized = try axis(a, rank: rank)
      guard !result.contains(normalized) else { throw EvaluationFailure("axis \(a) is listed twice") }
      result.append(normalized)
    }
    return result
  }

  /// `[2,3]`: shapes in messages are spelled like the text form's dimensions.
  static func describe(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ",") + "]"
  }
}
