import Foundation
import ResKernels
import Testing

/// The vector `erf` (and the exact GELU built on it) against Foundation's double-precision `erf` on a dense
/// grid over the whole range where `erf` is not yet ±1 in single precision, and beyond.
@Suite struct ErfAccuracyTests {
  /// Every multiple of 2⁻¹² in [-6, 6], the saturation point with its neighbours, and special values.
  static let grid: [Float] = {
    var values = (-6 * 4096...6 * 4096).map { Float($0) / 4096 }
    for boundary: Float in [3.92] {
      for value in [boundary, boundary.nextDown, boundary.nextUp] { values += [value, -value] }
    }
    values += [0, -0.0, .leastNonzeroMagnitude, 1e-30, -1e-20, 10, -10, 1e30, -1e30, .infinity, -.infinity]
    return values
  }()

  /// The bound VectorErf documents: 2.8e-7 measured with fused multiply-adds, 3.2e-7 without (the debug
  /// build's baseline x86-64), with a little room for another compiler's rounding.
  @Test func erfIsWithinThreePointFiveTimesTenToTheMinusSeven() {
    let y = Self.apply(.erf, Self.grid)
    var worst: (error: Double, x: Float) = (0, 0)
    for (x, value) in zip(Self.grid, y) {
      let error = abs(Double(value) - Foundation.erf(Double(x)))
      if error > worst.error { worst = (error, x) }
    }
    #expect(worst.error <= 3.5e-7, "largest error \(worst.error) at \(worst.x)")
    #expect(Self.apply(.erf, [.nan])[0].isNaN)
    #expect(Self.apply(.erf, [3.92, 100, .infinity, -3.92, -.infinity]) == [1, 1, 1, -1, -1])
  }

  @Test func geluFollowsErf() {
    let y = Self.apply(.gelu, Self.grid)
    for (x, value) in zip(Self.grid, y) where x.isFinite && abs(x) < 1e6 {
      let exact = 0.5 * Double(x) * (1 + Foundation.erf(Double(x) / 2.0.squareRoot()))
      // erf's error (3.5e-7) scaled by x/2, and the rounding of the product (half a unit in the last place).
      let tolerance = 1.2e-7 + 2.4e-7 * abs(Double(x))
      #expect(abs(Double(value) - exact) <= tolerance, "gelu(\(x)) = \(value), expected \(exact)")
    }
    #expect(Self.apply(.gelu, [.nan])[0].isNaN)
  }

  /// GELU's tanh approximation as `x · σ(2u)` against `x/2 · (1 + tanh u)` in double precision, relative to
  /// the result (the per-lane `tanhf` form it replaced rounded its argument the same way).
  @Test func tanhApproximatedGeluMatchesItsDefinition() {
    let y = Self.apply(.geluTanh, Self.grid)
    for (x, value) in zip(Self.grid, y) where x.isFinite && abs(x) < 1e6 {
      let inner = 0.7978845608028654 * (Double(x) + 0.044715 * Double(x) * Double(x) * Double(x))
      let exact = 0.5 * Double(x) * (1 + Foundation.tanh(inner))
      // σ(2u) ≈ e^(2u) for large negative u: the float rounding of 2u (a few units in its last place: x³, the
      // sum, the product) is a relative error of |2u|·(1-2)e-7 in the result, on top of the sigmoid's 4 units
      // and the product's one.
      let tolerance = 3e-7 * (5 + abs(2 * inner)) * abs(exact) + 1e-30
      #expect(abs(Double(value) - exact) <= tolerance, "gelu_tanh(\(x)) = \(value), expected \(exact)")
    }
    #expect(Self.apply(.geluTanh, [.nan])[0].isNaN)
    // −∞ · (1 + tanh(−∞)) is −∞ · 0 in the definition too: NaN, as the per-lane `tanhf` form gave.
    let ends = Self.apply(.geluTanh, [.infinity, -.infinity, 0])
    #expect(ends[0] == .infinity && ends[1].isNaN && ends[2] == 0)
  }

  /// A kernel's epilogue (`apply(vectors:count:)`, its own inlined loop) and the elementwise form (one
  /// vector at a time) compute the same bits, so a fused GELU equals a standalone one.
  @Test func epilogueAndElementwiseFormsAgreeBitForBit() {
    for function: PointwiseFunction in [.erf, .gelu, .geluTanh] {
      let elementwise = Self.apply(function, Self.grid)
      var vectors = [SIMD16<Float>](repeating: .zero, count: (Self.grid.count + 15) / 16)
      for (index, x) in Self.grid.enumerated() { vectors[index / 16][index % 16] = x }
      vectors.withUnsafeMutableBufferPointer { function.apply(vectors: $0.baseAddress!, count: $0.count) }
      let mismatches = Self.grid.indices.filter {
        vectors[$0 / 16][$0 % 16].bitPattern != elementwise[$0].bitPattern
      }
      #expect(mismatches.isEmpty, "\(function.name) differs at x = \(mismatches.prefix(4).map { Self.grid[$0] })")
    }
  }

  private static func apply(_ function: PointwiseFunction, _ x: [Float]) -> [Float] {
    var y = [Float](repeating: 0, count: x.count)
    x.withUnsafeBufferPointer { input in
      y.withUnsafeMutableBufferPointer { output in
        function.apply(input.baseAddress!, output.baseAddress!, count: x.count)
      }
    }
    return y
  }
}
