/// `exp` on 16 lanes by a polynomial, instead of a C library call per lane: softmax takes one per attention
/// score, and `expf` lane by lane cost more than the attention MatMuls around it.
///
/// Range reduction `x = n·ln 2 + r` with `|r| ≤ ln 2 / 2` (ln 2 split in two parts so `r` is exact), `e^r` by
/// Cephes' degree-6 polynomial, and `2ⁿ` added straight into the exponent bits. `n` comes from adding
/// 1.5·2²³ to `x·log₂e`, which rounds it to an integer held in the low mantissa bits. Relative error is below
/// 2 units in the last place over the whole range; below ln(2⁻¹²⁶) the result is 0 (no subnormals), above
/// ln(FLT_MAX) it is +∞, and NaN stays NaN.
public enum VectorExp {
  /// The largest `x` whose `e^x` is finite in single precision.
  static let overflowBound: Float = 88.376_26
  /// Below this, `e^x` is under the smallest normal float and the result is 0.
  static let underflowBound: Float = -87.336_55

  @inline(__always)
  public static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
    var clamped = x.replacing(with: underflowBound, where: x .< underflowBound)
    clamped.replace(with: overflowBound, where: clamped .> overflowBound)
    var result = inRange(clamped)
    result.replace(with: 0, where: x .< underflowBound)
    result.replace(with: .infinity, where: x .> overflowBound)
    return result.replacing(with: x, where: x .!= x)
  }

  /// `e^x` for `x ≤ 0` or −∞, never NaN (softmax's scores less their finite maximum): the same bits as
  /// `exp(x)`, whose clamp to the top of the range and fix-ups for overflow and NaN do nothing there. Four
  /// compares and three blends fewer than `exp` (one compare serves the clamp and the zeroing).
  @inline(__always)
  public static func expOfNonPositive(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let underflows = x .< underflowBound
    return inRange(x.replacing(with: underflowBound, where: underflows)).replacing(with: 0, where: underflows)
  }

  /// Below this `2ⁿ` still fits the exponent field (`n ≤ 127`), so `inRange` needs no fix-up.
  static let unscaledCeiling: Float = 88

  /// `e^x` for `x` in `underflowBound...overflowBound`, without the fix-ups `exp` applies outside that
  /// range (and for `x` past `unscaledCeiling`, where `2ⁿ` overflows the exponent field, a wrong value
  /// `exp` replaces with +∞). A caller that clamps to `underflowBound...unscaledCeiling` itself, as the
  /// sigmoid does, uses it alone: three compare-and-blends fewer, the sigmoid 20 % faster.
  @inline(__always)
  static func inRange(_ clamped: SIMD16<Float>) -> SIMD16<Float> {
    let shifter = SIMD16<Float>(repeating: 12_582_912)
    let shifted = fused(clamped, 1.442_695_04, shifter)
    let n = shifted - shifter
    var r = fused(n, -0.693_359_375, clamped)
    r = fused(n, 2.121_944_4e-4, r)
    var p = SIMD16<Float>(repeating: 1.987_569_15e-4)
    p = VectorArithmetic.multiplyAdd(p, r, 1.398_199_95e-3)
    p = VectorArithmetic.multiplyAdd(p, r, 8.333_451_9e-3)
    p = VectorArithmetic.multiplyAdd(p, r, 4.166_579_58e-2)
    p = VectorArithmetic.multiplyAdd(p, r, 1.666_666_55e-1)
    p = VectorArithmetic.multiplyAdd(p, r, 5.000_000_12e-1)
    let polynomial = fused(p, r * r, r) + 1
    let exponent = unsafeBitCast(shifted, to: SIMD16<UInt32>.self) &<< 23
    return unsafeBitCast(unsafeBitCast(polynomial, to: SIMD16<UInt32>.self) &+ exponent, to: SIMD16<Float>.self)
  }

  /// `exp` on `count` vectors in place (see `VectorSigmoid.sigmoid(vectors:count:)`).
  @inline(never)
  static func exp(vectors: UnsafeMutablePointer<SIMD16<Float>>, count: Int) {
    for index in 0..<count { vectors[index] = exp(vectors[index]) }
  }

  /// `a·b + c` with a scalar `b`, fused where the build has the instruction.
  @inline(__always)
  private static func fused(_ a: SIMD16<Float>, _ b: Float, _ c: SIMD16<Float>) -> SIMD16<Float> {
    BuildISA.hasFusedMultiplyAdd ? c.addingProduct(a, SIMD16<Float>(repeating: b)) : a * b + c
  }

  @inline(__always)
  private static func fused(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _ c: SIMD16<Float>) -> SIMD16<Float> {
    BuildISA.hasFusedMultiplyAdd ? c.addingProduct(a, b) : a * b + c
  }
}
