/// An activation a kernel's epilogue applies to its sums in registers, with the arithmetic of
/// `PointwiseFunction` for the same function (so the bits are those of `PointwiseFunction.apply(vectors:count:)`
/// on a buffer of the same values). `Prepared` holds what a tile loads once for all its vectors (a clip's
/// bound vectors).
///
/// Why: an epilogue that stored its sums to a buffer, called the activation's loop on it and stored them
/// again spent more than the activation itself, a depthwise group's or a GEMM panel's six vectors at a time
/// (MobileNetV3's hard-swish depthwise layers ran 2-2.5x slower than under ReLU). A kernel is specialized per
/// activation type, so only the common ones have one: clips (identity and ReLU included), hard swish, SiLU.
protocol RegisterActivation {
  associatedtype Prepared
  var prepared: Prepared { get }
  static func apply(_ prepared: Prepared, _ value: SIMD16<Float>) -> SIMD16<Float>
}

/// Identity, ReLU and clip: the compare-and-blend of `WholeTileStore.store` (NaN and −0 pass).
struct ClipInRegisters: RegisterActivation {
  let low: Float
  let high: Float

  var prepared: (SIMD16<Float>, SIMD16<Float>) {
    @inline(__always) get { (SIMD16(repeating: low), SIMD16(repeating: high)) }
  }

  @inline(__always)
  static func apply(_ bounds: (SIMD16<Float>, SIMD16<Float>), _ value: SIMD16<Float>) -> SIMD16<Float> {
    let raised = value.replacing(with: bounds.0, where: value .< bounds.0)
    return raised.replacing(with: bounds.1, where: raised .> bounds.1)
  }
}

/// MobileNetV3's hard swish, `PointwiseFunction.hardSwishOf` (the expression `PointwiseFunction.hardSwish` uses;
/// through `callAsFunction` it was a call per vector).
struct HardSwishInRegisters: RegisterActivation {
  var prepared: Void { @inline(__always) get { () } }

  @inline(__always)
  static func apply(_: Void, _ value: SIMD16<Float>) -> SIMD16<Float> { PointwiseFunction.hardSwishOf(value) }
}

/// EfficientNet's SiLU, `VectorSigmoid.silu`, as `PointwiseFunction.apply(vectors:count:)` computes it.
struct SiLUInRegisters: RegisterActivation {
  var prepared: Void { @inline(__always) get { () } }

  @inline(__always)
  static func apply(_: Void, _ value: SIMD16<Float>) -> SIMD16<Float> { VectorSigmoid.silu(value) }
}
