import ResIR

/// The ops that only change a tensor's shape, never its elements or their order: Flatten, Reshape, Squeeze,
/// Unsqueeze.
enum Reshaping {
  /// ONNX Flatten: `[d₀·…·d_{axis−1}, d_axis·…·d_{r−1}]`, with `axis` in `-r...r`.
  static func flatten(_ operands: NodeOperands, axis: Int) throws(EvaluationFailure) -> ReferenceTensor {
    let x = try operands.required(0, "input")
    guard axis >= -x.rank && axis <= x.rank else {
      throw EvaluationFailure("axis \(axis) is out of range for rank \(x.rank)")
    }
    let split = axis < 0 ? axis + x.rank : axis
    return x.reshaped([x.shape[..<split].reduce(1, *), x.shape[split...].reduce(1, *)])
  }

  /// ONNX Reshape: a 0 copies the input's dimension at that index (unless `allowZero`, when 0 means 0), and
  /// one −1 takes whatever size makes the element counts equal.
  static func reshape(_ operands: NodeOperands, allowZero: Bool) throws(EvaluationFailure) -> ReferenceTensor {
    let data = try operands.required(0, "data")
    let requested = try operands.required(1, "shape").indexVector("shape")
    var shape: [Int] = []
    var inferred: Int?
    for (i, value) in requested.enumerated() {
      switch value {
      case -1:
        guard inferred == nil else { throw EvaluationFailure("shape has more than one -1") }
        inferred = i
        shape.append(1)
      case 0 where !allowZero:
        guard i < data.rank else {
          throw EvaluationFailure("shape has a 0 at index \(i), but data has only \(data.rank) dimensions to copy")
        }
        shape.append(data.shape[i])
      default:
        guard value >= 0, value <= Int64(ShapeArithmetic.maximumElementCount) else {
          throw EvaluationFailure("shape value \(value) is not a valid dimension")
        }
        shape.append(Int(value))
      }
    }
    if let inferred {
      guard !(allowZero && shape.contains(0)) else {
        throw EvaluationFailure("shape with allowzero=1 has both 0 and -1")
      }
      let known = try ShapeArithmetic.elementCount(shape)
      guard known > 0, data.elementCount % known == 0 else {
        throw EvaluationFailure(
          "cannot infer the -1 in \(requested) for data of shape \(ShapeArithmetic.describe(data.shape))")
      }
      shape[inferred] = data.elementCount / known
    }
    guard ShapeArithmetic.product(shape) == data.elementCount else {
      throw EvaluationFailure(
        "cannot reshape data of shape \(ShapeArithmetic.describe(data.shape)) to \(ShapeArithmetic.describe(shape))")
    }
    return data.reshaped(shape)
  }

  /// ONNX Squeeze: removes the listed axes, each of size 1, or every axis of size 1 when `axes` is nil.
  static func squeeze(_ operands: NodeOperands, axes: [Int]?) throws(EvaluationFailure) -> ReferenceTensor {
    let data = try operands.required(0, "data")
    guard let axes else { return data.reshaped(data.shape.filter { $0 != 1 }) }
    let removed = try ShapeArithmetic.distinctAxes(axes, rank: data.rank)
    for axis in removed where data.shape[axis] != 1 {
      throw EvaluationFailure(
        "cannot squeeze axis \(axis) of shape \(ShapeArithmetic.describe(data.shape)): its size is not 1")
    }
    return data.reshaped(data.shape.enumerated().filter { !removed.contains($0.offset) }.map(\.element))
  }

  /// ONNX Unsqueeze: inserts axes of size 1 at the listed positions of the output.
  static func unsqueeze(_ operands: NodeOperands, axes: [Int]) throws(EvaluationFailure) -> ReferenceTensor {
    let data = try operands.required(0, "data")
    let outputRank = data.rank + axes.count
    let inserted = try ShapeArithmetic.distinctAxes(axes, rank: outputRank)
    var remaining = data.shape.makeIterator()
    let shape = (0..<outputRank).map { inserted.contains($0) ? 1 : (remaining.next() ?? 1) }
    return data.reshaped(shape)
  }
}
