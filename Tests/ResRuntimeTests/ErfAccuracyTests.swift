import Foundation
import ResKernels
import Testing

/// The vector `erf` (and the exact GELU built on it) against Foundation's double-precision `erf` on a dense
/// grid over the whole range where `erf` is not yet ±1 in single precision, and beyond.
@Suite struct ErfAccuracyTests {
  /// Every multiple of 2⁻¹² in [-6, 6], the piece boundaries with their neighbours, and special values.
  static let grid: [Float] = {
    var values = (-6 * 4096...6 * 4096).map { Float($0) / 4096 }
    for boundary: Float in [0.75, 2.2, 3.92] {
      for value in [boundary, boundary.nextDown, boundary.nextUp] { values += [value, -value] }
    }
    values += [0, -0.0, .leastNonzeroMagnitude, 1e-30, -1e-20, 10, -10, 1e30, -1e30, .infinity, -.infinity]
    return values
  }()

  @Test func erfIsWithinOnePointOneTimesTenToTheMinusSeven() {
    let y = Self.apply(.erf, Self.grid)
    var worst: (error: Double, x: Float) = (0, 0)
    for (x, value) in zip(Self.grid, y) {
      let error = abs(Double(value) - Foundation.erf(Double(x)))
      if error > worst.error { worst = (error, x) }
    }
    #expect(worst.error <= 1.1e-7, "largest error \(worst.error) at \(worst.x)")
    #expect(Self.apply(.erf, [.nan])[0].isNaN)
  }

  @Test func geluFollowsErf() {
    let y = Self.apply(.gelu, Self.grid)
    for (x, value) in zip(Self.grid, y) where x.isFinite && abs(x) < 1e6 {
      let exact = 0.5 * Double(x) * (1 + Foundation.erf(Double(x) / 2.0.squareRoot()))
      let tolerance = 1.2e-7 * (1 + abs(Double(x)))
      #expect(abs(Double(value) - exact) <= tolerance, "gelu(\(x)) = \(value), expected \(exact)")
    }
    #expect(Self.apply(.gelu, [.nan])[0].isNaN)
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
