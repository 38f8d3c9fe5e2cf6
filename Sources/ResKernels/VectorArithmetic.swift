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

extension VectorArithmetic {
  /// `accumulator += a·b` on eight lanes (a half-width tile), fused where the build has the instruction.
  @inline(__always)
  static func multiplyAdd(_ accumulator: inout SIMD8<Float>, _ a: Float, _ b: SIMD8<Float>) {
    if BuildISA.hasFusedMultiplyAdd {
      accumulator.addProduct(SIMD8<Float>(repeating: a), b)
    } else {
      accumulator += a * b
    }
  }

  /// `a·b + c`, fused where the build has the instruction: one step of a Horner polynomial.
  @inline(__always)
  static func multiplyAdd(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _ c: Float) -> SIMD16<Float> {
    if BuildISA.hasFusedMultiplyAdd {
      return SIMD16<Float>(repeating: c).addingProduct(a, b)
    }
    return a * b + c
  }

}
