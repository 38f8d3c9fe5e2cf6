/// The logistic sigmoid and SiLU on 16 lanes through `VectorExp`, instead of a C library `expf` per lane.
///
/// Squeeze-and-excitation gates and Swish activations put a sigmoid on every element of EfficientNet,
/// MobileNetV3, MixNet and NFNet layers; computed lane by lane (3.6 ns an element) it made EfficientNet-B0's
/// 1x1 convolutions run at 9-36 GFLOP/s, 5-9 times onnxruntime's time for the model.
///
/// `σ(x) = 1 / (1 + e⁻ˣ)`: below −88 `σ` is 0 (the true value is below 6·10⁻³⁹); above about 17 it rounds
/// to 1. `VectorExp`'s error (2 units in the last place) and
/// one addition and division keep `σ` within 4 units in the last place of the exact value; NaN stays NaN.
enum VectorSigmoid {
  @inline(__always)
  static func sigmoid(_ x: SIMD16<Float>) -> SIMD16<Float> {
    sigmoidOfNumbers(x).replacing(with: x, where: x .!= x)
  }

  /// `sigmoid` without its NaN fix-up: the lanes where `x` is NaN hold an arbitrary value. For `x · σ(…x…)`
  /// products, which are NaN there anyway: the compare and blend were 2 of SiLU's 24 instructions a vector,
  /// and SiLU is a fifth of EfficientNet-B0's time.
  @inline(__always)
  static func sigmoidOfNumbers(_ x: SIMD16<Float>) -> SIMD16<Float> {
    // e^−x with −x clamped to `VectorExp.inRange`'s domain: above 87.3 the sigmoid is 1 anyway (e^−87.3 is
    // below half an ulp of 1), and below −88 it is set to 0, as `exp` overflowing to +∞ made it (so that
    // SiLU and GELU of −∞ stay −∞ · 0, NaN, as in their definitions). NaN stays NaN.
    var t = -x
    t.replace(with: VectorExp.underflowBound, where: t .< VectorExp.underflowBound)
    t.replace(with: VectorExp.unscaledCeiling, where: t .> VectorExp.unscaledCeiling)
    var result = 1 / (1 + VectorExp.inRange(t))
    result.replace(with: 0, where: x .< -VectorExp.unscaledCeiling)
    return result
  }

  /// `x · σ(x)`; NaN where `x` is. Transparent: `@inline(__always)` gave way in the kernels' epilogues, which
  /// then called it per vector (`RegisterActivation`), the vector passed in 128-bit pieces.
  @_transparent
  static func silu(_ x: SIMD16<Float>) -> SIMD16<Float> {
    x * sigmoidOfNumbers(x)
  }

  /// GELU's tanh approximation, `x/2 · (1 + tanh(u))` with `u = √(2/π)·(x + 0.044715·x³)`, as `x · σ(2u)`
  /// (`(1 + tanh u)/2 = σ(2u)` exactly): GPT-2's MLP activation took 6 ns an element through `tanhf` per lane.
  @inline(__always)
  static func geluTanh(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let twiceScale: Float = 2 * 0.7978845608028654
    // `u` is NaN only where `x` is, and the product is NaN there.
    let u = x * twiceScale * (1 + 0.044715 * x * x)
    return x * sigmoidOfNumbers(u)
  }

  /// `geluTanh` on `count` vectors in place (see `sigmoid(vectors:count:)`).
  @inline(never)
  static func geluTanh(vectors: UnsafeMutablePointer<SIMD16<Float>>, count: Int) {
    for index in 0..<count { vectors[index] = geluTanh(vectors[index]) }
  }

  /// `sigmoid` on `count` vectors in place: a loop of its own with the function inlined (passed one `SIMD16`
  /// at a time through a call, a vector is split into 128-bit quarters; see `VectorErf.erf(vectors:count:)`).
  @inline(never)
  static func sigmoid(vectors: UnsafeMutablePointer<SIMD16<Float>>, count: Int) {
    for index in 0..<count { vectors[index] = sigmoid(vectors[index]) }
  }

  /// `silu` on `count` vectors in place (see `sigmoid(vectors:count:)`).
  @inline(never)
  static func silu(vectors: UnsafeMutablePointer<SIMD16<Float>>, count: Int) {
    for index in 0..<count { vectors[index] = silu(vectors[index]) }
  }
}
