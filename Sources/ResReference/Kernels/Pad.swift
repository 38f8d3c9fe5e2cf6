import ResIR

/// ONNX Pad in its four modes, with `pads` listing the begin pads of every axis then the end pads.
///
/// Output position `o` along an axis reads input position `o − begin`; when that falls outside the input,
/// `constant` uses the constant value, `edge` the nearest element, `reflect` mirrors about the edge elements
/// (repeatedly, for pads longer than the axis: numpy's behaviour, which ONNX's reference implementation uses),
/// and `wrap` continues periodically. Negative pads remove elements.
enum Pad {
  static func evaluate(_ operands: NodeOperands, mode: PadMode, pads: [Int]) throws(EvaluationFailure)
    -> ReferenceTensor
  {
    let data = try operands.required(0, "data")
    guard pads.count == 2 * data.rank else {
      throw EvaluationFailure("pads has \(pads.count) values for \(data.rank) axes (expected \(2 * data.rank))")
    }
    let fill =
      try operands.optional(1).map { value throws(EvaluationFailure) in
        try value.requireDType("constant_value", data.dtype)
        return try value.scalarValue("constant_value")
      } ?? 0
    var result = data
    for axis in 0..<data.rank {
      let (begin, end) = (pads[axis], pads[data.rank + axis])
      let limit = ShapeArithmetic.maximumElementCount
      guard abs(begin) <= limit, abs(end) <= limit, data.shape[axis] + begin + end >= 0 else {
        throw EvaluationFailure("pads \(ShapeArithmetic.describe(pads)) remove more than axis \(axis) holds")
      }
      guard mode == .constant || data.shape[axis] > 0 || (begin <= 0 && end <= 0) else {
        throw EvaluationFailure("\(mode.rawValue) padding needs elements, but axis \(axis) is empty")
      }
      if begin != 0 || end != 0 {
        result = try padding(result, axis: axis, begin: begin, end: end, mode: mode, fill: fill)
      }
    }
    return result
  }

  /// Pads (or crops) one axis. Padding axis by axis is how numpy pads, so the corners of a reflect or edge
  /// pad come from the already padded axes exactly as there.
  private static func padding(
    _ tensor: ReferenceTensor, axis: Int, begin: Int, end: Int, mode: PadMode, fill: Double
  ) throws(EvaluationFailure) -> ReferenceTensor {
    let layout = AxisReduction(shape: tensor.shape, axis: axis)
    var shape = tensor.shape
    shape[axis] += begin + end
    let count = try ShapeArithmetic.elementCount(shape)
    // The constant sits at one extra position after the elements, so one gather serves every position.
    let constantIndex = tensor.elementCount
    let extended = ReferenceTensor.concatenating(
      [tensor, try ReferenceTensor.filled(fill, dtype: tensor.dtype, shape: [1])], dtype: tensor.dtype,
      shape: [tensor.elementCount + 1])
    var indices: [Int] = []
    indices.reserveCapacity(count)
    for o in 0..<layout.outer {
      for p in 0..<shape[axis] {
        let s = source(of: p - begin, size: layout.axisSize, mode: mode)
        for i in 0..<layout.inner {
          indices.append(s.map { (o * layout.axisSize + $0) * layout.inner + i } ?? constantIndex)
        }
      }
    }
    return extended.gathering(indices, shape: shape)
  }

  /// The input position that position `p` (relative to the input's start) reads, or nil for the constant.
  static func source(of p: Int, size: Int, mode: PadMode) -> Int? {
    if p >= 0 && p < size { return p }
    switch mode {
    case .constant:
      return nil
    case .edge:
      return p < 0 ? 0 : size - 1
    case .wrap:
      return ((p % size) + size) % size
    case .reflect:
      guard size > 1 else { return 0 }
      let period = 2 * (size - 1)
      let folded = ((p % period) + period) % period
      return folded < size ? folded : period - folded
    }
  }
}
