/// One row of layer normalization, 16 lanes at a time: the row's mean and inverse standard deviation (two
/// passes, the second over centered values, so a row far from zero loses no precision to cancellation), then
/// `y = (x − mean) · inverse · scale + bias` with scale and bias read element for element.
///
/// Sums run in 16 single-precision lanes (each lane adds `count / 16` values, then the lanes are added), which
/// keeps the error of a transformer's 192- to 1024-wide rows near one unit in the last place; the scalar
/// double-precision loop this replaces cost more than the MatMuls on either side of it.
public enum LayerNormMicrokernel {
  /// The mean of `count` values and `1 / √(variance + epsilon)`.
  public static func statistics(_ row: UnsafePointer<Float>, count: Int, epsilon: Float) -> (
    mean: Float, inverseDeviation: Float
  ) {
    guard count > 0 else { return (0, 1 / epsilon.squareRoot()) }
    let full = count & ~15
    let tail = count - full
    var sum = SIMD16<Float>()
    for offset in stride(from: 0, to: full, by: 16) { sum += VectorAccess.load(row + offset) }
    if tail > 0 { sum += VectorAccess.loadPartial(row + full, tail) }
    let mean = VectorReduction.sum(sum) / Float(count)
    let center = SIMD16<Float>(repeating: mean)
    var squares = SIMD16<Float>()
    for offset in stride(from: 0, to: full, by: 16) {
      let centered = VectorAccess.load(row + offset) - center
      squares = fused(centered, centered, squares)
    }
    if tail > 0 {
      let missing = VectorLanes.index .>= Float(tail)
      let centered = (VectorAccess.loadPartial(row + full, tail) - center).replacing(with: 0, where: missing)
      squares = fused(centered, centered, squares)
    }
    let variance = VectorReduction.sum(squares) / Float(count)
    return (mean, 1 / (variance + epsilon).squareRoot())
  }

  /// `output[i] = (row[i] − mean) · inverseDeviation · scale[i] + bias[i]` (no bias: + 0). `output` may be
  /// `row`.
  public static func normalize(
    _ row: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int, mean: Float,
    inverseDeviation: Float, scale: UnsafePointer<Float>, bias: UnsafePointer<Float>?
  ) {
    let center = SIMD16<Float>(repeating: mean)
    let inverse = SIMD16<Float>(repeating: inverseDeviation)
    // Whole vectors with the constant width 16 (plain loads and stores), then the tail.
    BinaryMicrokernels.chunks(count) { offset, width in
      let normalized = (VectorAccess.loadPartial(row + offset, width) - center) * inverse
      var value = normalized * VectorAccess.loadPartial(scale + offset, width)
      if let bias { value += VectorAccess.loadPartial(bias + offset, width) }
      VectorAccess.storePartial(value, output + offset, width)
    }
  }

  @inline(__always)
  private static func fused(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _ c: SIMD16<Float>) -> SIMD16<Float> {
    BuildISA.hasFusedMultiplyAdd ? c.addingProduct(a, b) : a * b + c
  }
}
