/// Vector arithmetic every microkernel's inner loop shares.
enum VectorArithmetic {
  /// `accumulator += a·b`, fused where the build has the instruction (see `BuildISA.hasFusedMultiplyAdd`).
  @inline(__always)
  static func multiplyAdd(_ accumulator: inout SIMD16<Float>, _ a: Float, _ b: SIMD16<Float>) {
    if BuildISA.hasFusedMultiplyAdd {
      accumulator.addProduct(SIMD16<Float>(repeating: a), b)
    } else {
      accumulator += a * b
    }
  }
}
