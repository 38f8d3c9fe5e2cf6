/// Vector arithmetic every microkernel's inner loop shares.
enum VectorArithmetic {
  /// `accumulator += a·b` on any width of float vector (16 lanes in the full tiles, 8 in the half-width
  /// ones), fused where the build has the instruction (see `BuildISA.hasFusedMultiplyAdd`).
  @inline(__always)
  static func multiplyAdd<Vector: SIMD>(_ accumulator: inout Vector, _ a: Float, _ b: Vector)
  where Vector.Scalar == Float {
    if BuildISA.hasFusedMultiplyAdd {
      accumulator.addProduct(Vector(repeating: a), b)
    } else {
      accumulator += a * b
    }
  }

  /// `accumulator += a·b` lane by lane (a vector of weights, one per lane), fused where the build has it.
  @inline(__always)
  static func multiplyAdd(_ accumulator: inout SIMD16<Float>, _ a: SIMD16<Float>, _ b: SIMD16<Float>) {
    if BuildISA.hasFusedMultiplyAdd {
      accumulator.addProduct(a, b)
    } else {
      accumulator += a * b
    }
  }
}

extension VectorArithmetic {
  /// `a·b + c`, fused where the build has the instruction: one step of a Horner polynomial.
  @inline(__always)
  static func multiplyAdd(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _ c: Float) -> SIMD16<Float> {
    if BuildISA.hasFusedMultiplyAdd {
      return SIMD16<Float>(repeating: c).addingProduct(a, b)
    }
    return a * b + c
  }

}
