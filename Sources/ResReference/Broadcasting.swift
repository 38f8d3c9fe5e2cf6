/// numpy's multidirectional broadcasting, as ONNX defines it for elementwise ops.
enum Broadcasting {
  /// The shape that `shapes` broadcast to: aligned at the trailing axes, each axis either equal or 1.
  static func shape(_ shapes: [[Int]]) throws(EvaluationFailure) -> [Int] {
    let rank = shapes.map(\.count).max() ?? 0
    var result = [Int](repeating: 1, count: rank)
    for shape in shapes {
      let lead = rank - shape.count
      for (axis, dim) in shape.enumerated() where dim != 1 {
        let current = result[lead + axis]
        guard current == 1 || current == dim else {
          throw EvaluationFailure(
            "shapes \(shapes.map(ShapeArithmetic.describe).joined(separator: " and ")) do not broadcast")
        }
        result[lead + axis] = dim
      }
    }
    return result
  }

  /// Whether `source` broadcasts to exactly `target` (ONNX's unidirectional broadcasting: Gemm's C, a
  /// MatMul bias, LayerNormalization's scale).
  static func isUnidirectional(_ source: [Int], to target: [Int]) -> Bool {
    guard source.count <= target.count else { return false }
    let lead = target.count - source.count
    return source.enumerated().allSatisfy { $0.element == 1 || $0.element == target[lead + $0.offset] }
  }

  /// For each element of the broadcast result, the position it reads in `source`.
  static func sourceIndices(_ source: [Int], to shape: [Int]) -> [Int] {
    StridedView.broadcasting(source, to: shape).sourceIndices()
  }
}
