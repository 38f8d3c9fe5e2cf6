import Foundation
import ResIR

/// ONNX Resize in nearest, (multi)linear and cubic modes, written from the specification's formulas in Double:
/// each output coordinate maps to `x` in the input (`ResizeCoordinates`), nearest rounds `x`
/// (`NearestRounding`), linear weighs the two neighbours `⌊x⌋` and `⌊x⌋ + 1` by their distance, cubic the four
/// `⌊x⌋ − 1 … ⌊x⌋ + 2` by Keys' kernel with coefficient A; positions past the edges read the edge element,
/// which is what the specification's edge-padded neighbours give (with `exclude_outside` they get weight 0
/// and the rest are renormalized). Every axis is resampled independently and the weights multiply.
enum Resize {
  static func evaluate(_ operands: NodeOperands, _ attributes: ResizeAttributes) throws(EvaluationFailure)
    -> ReferenceTensor
  {
    let x = try operands.required(0, "X")
    guard attributes.sizes.count == x.rank, attributes.scales.count == x.rank else {
      throw EvaluationFailure("sizes and scales must have one entry per axis of X")
    }
    let outputShape = zip(attributes.sizes, x.shape).map { $0 == -1 ? $1 : $0 }
    let count = try ShapeArithmetic.elementCount(outputShape)
    let taps = x.shape.indices.map { axis in
      axisTaps(
        inLength: x.shape[axis], outLength: outputShape[axis], scale: Double(attributes.scales[axis]), attributes)
    }
    let inputStrides = ShapeArithmetic.strides(x.shape)
    let values = x.doubles
    var result = [Double](repeating: 0, count: count)
    var coordinates = [Int](repeating: 0, count: x.rank)
    for index in 0..<count {
      result[index] = sample(values, taps, coordinates, inputStrides)
      ShapeArithmetic.advance(&coordinates, within: outputShape)
    }
    return ReferenceTensor(dtype: x.dtype, shape: outputShape, doubles: result)
  }

  /// One output element: the weighted sum over every combination of the axes' taps.
  private static func sample(
    _ values: [Double], _ taps: [[[(index: Int, weight: Double)]]], _ coordinates: [Int], _ strides: [Int]
  ) -> Double {
    var total = 0.0
    func visit(_ axis: Int, _ offset: Int, _ weight: Double) {
      guard axis < coordinates.count else {
        total += weight * values[offset]
        return
      }
      for tap in taps[axis][coordinates[axis]] where tap.weight != 0 {
        visit(axis + 1, offset + tap.index * strides[axis], weight * tap.weight)
      }
    }
    visit(0, 0, 1)
    return total
  }

  /// For each output position along one axis, the input positions it reads and their weights.
  static func axisTaps(inLength: Int, outLength: Int, scale: Double, _ attributes: ResizeAttributes)
    -> [[(index: Int, weight: Double)]]
  {
    (0..<outLength).map { position in
      let x = sourceCoordinate(position, scale: scale, inLength: inLength, outLength: outLength, attributes.coordinates)
      let last = Double(max(inLength - 1, 0))
      switch attributes.mode {
      case .nearest:
        return [(Int(min(max(rounded(x, attributes.nearestRounding), 0), last)), 1)]
      case .linear:
        let clamped = min(max(x, 0), last)
        let low = clamped.rounded(.down)
        let fraction = clamped - low
        return [(Int(low), 1 - fraction), (min(Int(low) + 1, inLength - 1), fraction)]
      case .cubic:
        return cubicTaps(x, inLength: inLength, a: Double(attributes.cubicCoefficient),
          excludeOutside: attributes.excludeOutside)
      }
    }
  }

  /// The input coordinate output position `position` samples (ONNX's `coordinate_transformation_mode`).
  /// The specification's "resized length" is `scale · inLength`, a real number: align_corners and
  /// pytorch_half_pixel use it, not the whole output length (a 4 → 2 resize by 0.6 aligns corners over 2.4).
  static func sourceCoordinate(
    _ position: Int, scale: Double, inLength: Int, outLength: Int, _ mode: ResizeCoordinates
  ) -> Double {
    let out = Double(position)
    let resizedLength = scale * Double(inLength)
    switch mode {
    case .halfPixel: return (out + 0.5) / scale - 0.5
    case .halfPixelSymmetric:
      let adjustment = Double(outLength) / resizedLength
      let offset = Double(inLength) / 2 * (1 - adjustment)
      return offset + (out + 0.5) / scale - 0.5
    case .pytorchHalfPixel: return resizedLength > 1 ? (out + 0.5) / scale - 0.5 : 0
    case .alignCorners: return resizedLength == 1 ? 0 : out * Double(inLength - 1) / (resizedLength - 1)
    case .asymmetric: return out / scale
    }
  }

  /// Nearest mode's rounding; "round" is to the nearest integer, with the mode deciding only exact halves.
  static func rounded(_ x: Double, _ rounding: NearestRounding) -> Double {
    switch rounding {
    case .floor: return x.rounded(.down)
    case .ceil: return x.rounded(.up)
    case .roundPreferFloor: return x - x.rounded(.down) == 0.5 ? x.rounded(.down) : x.rounded()
    case .roundPreferCeil: return x - x.rounded(.down) == 0.5 ? x.rounded(.up) : x.rounded()
    }
  }

  /// Keys' cubic convolution weights of the four taps around `x`, their positions clamped to the axis.
  static func cubicTaps(_ x: Double, inLength: Int, a: Double, excludeOutside: Bool) -> [(index: Int, weight: Double)] {
    let low = x.rounded(.down)
    let r = x - low
    var weights = [
      ((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
      ((a + 2) * r - (a + 3)) * r * r + 1,
      ((a + 2) * (1 - r) - (a + 3)) * (1 - r) * (1 - r) + 1,
      ((a * (2 - r) - 5 * a) * (2 - r) + 8 * a) * (2 - r) - 4 * a,
    ]
    let positions = (0..<4).map { Int(low) - 1 + $0 }
    if excludeOutside {
      for k in 0..<4 where positions[k] < 0 || positions[k] >= inLength { weights[k] = 0 }
      let total = weights.reduce(0, +)
      if total != 0 { weights = weights.map { $0 / total } }
    }
    return (0..<4).map { (min(max(positions[$0], 0), inLength - 1), weights[$0]) }
  }
}
