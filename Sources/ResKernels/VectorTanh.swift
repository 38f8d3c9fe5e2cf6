/// `tanh` on 16 lanes through `VectorExp`, instead of a C library `tanhf` per lane.
///
/// An LSTM applies `tanh` twice per cell and time step, a GRU once: computed lane by lane (`tanhf`, which
/// calls `expm1f`) it took 30 % of a two-layer residual LSTM of 256 units over 32 steps, which ran at 1.9x
/// onnxruntime's time.
///
/// Two forms, both computed and one selected per lane (no branch):
/// - `|x| < 0.625`: `x·(1 + x²·P(x²))`, `P` of degree 4 fitted by least squares for relative error (0.9
///   units in the last place in single precision; a product with `x`, so −0 stays −0); `1 − 2/(1 + e²ˣ)`
///   would lose its leading bits there to cancellation;
/// - otherwise `sign(x)·(1 − 2/(1 + e^(2|x|)))`, `|x|` clamped to 10 (`tanh` rounds to ±1 from about 9.01,
///   and the form gives exactly 1 at 10): `VectorExp`'s 2 units become at most 3 in the result, where it is
///   at least 0.55.
/// NaN stays NaN; ±∞ gives ±1; −0 gives −0.
enum VectorTanh {
  /// Below this the polynomial form.
  static let polynomialBound: Float = 0.625
  /// `|x|` is clamped here: `tanh` is ±1 in single precision from about 9.01 on.
  static let saturation: Float = 10

  @inline(__always)
  static func tanh(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let magnitude = x.replacing(with: -x, where: x .< 0)
    let t = x * x
    var p = SIMD16<Float>(repeating: -5.798_193_2e-3)
    p = VectorArithmetic.multiplyAdd(p, t, 2.072_035_8e-2)
    p = VectorArithmetic.multiplyAdd(p, t, -5.376_382_2e-2)
    p = VectorArithmetic.multiplyAdd(p, t, 0.133_317_19)
    p = VectorArithmetic.multiplyAdd(p, t, -0.333_332_92)
    let small = x * VectorArithmetic.multiplyAdd(p, t, 1)
    let clamped = magnitude.replacing(with: saturation, where: magnitude .> saturation)
    let large = 1 - 2 / (1 + VectorExp.inRange(clamped + clamped))
    var result = large.replacing(with: -large, where: x .< 0)
    result.replace(with: small, where: magnitude .< polynomialBound)
    return result.replacing(with: x, where: x .!= x)
  }

  /// `tanh` on `count` vectors in place: a loop of its own with the function inlined (see
  /// `VectorErf.erf(vectors:count:)`).
  @inline(never)
  static func tanh(vectors: UnsafeMutablePointer<SIMD16<Float>>, count: Int) {
    for index in 0..<count { vectors[index] = tanh(vectors[index]) }
  }
}
