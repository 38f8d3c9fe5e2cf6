/// Mish, `x · tanh(softplus(x))`, on 16 lanes through one `VectorExp` call: YOLOv4's CSPDarknet and other
/// residual backbones apply it after every convolution, where the three steps of its definition (softplus,
/// tanh, product) each cost a pass over the tensor and softplus a C library call per lane.
///
/// With `e = eˣ`, `tanh(log(1 + e)) = ((1 + e)² − 1) / ((1 + e)² + 1) = n / (n + 2)` for `n = e · (e + 2)`, so
/// `mish(x) = x · n / (n + 2)`. Above 20 the ratio rounds to 1 in float (and `n` would overflow from 44 on), so
/// `mish(x) = x` there; far below 0, `n` underflows to 0 and so does the result (−0 for a negative `x`), where
/// the exact value is below the smallest float. NaN stays NaN. Within a few units in the last place of the
/// exact value: `VectorExp`'s 2, one product, one sum and one division.
enum VectorMish {
  /// From here on `mish(x)` is `x` in float.
  static let identityFrom: Float = 20

  @inline(__always)
  static func mish(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let clamped = x.replacing(with: identityFrom, where: x .> identityFrom)
    let e = VectorExp.exp(clamped)
    let n = e * (e + 2)
    return (x * n / (n + 2)).replacing(with: x, where: x .> identityFrom)
  }

  /// `mish` on `count` vectors in place: a loop of its own with the function inlined (see
  /// `VectorSigmoid.sigmoid(vectors:count:)`).
  @inline(never)
  static func mish(vectors: UnsafeMutablePointer<SIMD16<Float>>, count: Int) {
    for index in 0..<count { vectors[index] = mish(vectors[index]) }
  }
}
