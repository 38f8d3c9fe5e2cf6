import Foundation
import ResKernels
import Testing

/// The vector `tanh` (`VectorTanh`, and `scaledTanh` built on it) against Foundation's double-precision
/// `tanh` on a dense grid over the range where `tanh` is not yet ±1 in single precision, both sides of the
/// switch between its two forms, and special values.
@Suite struct TanhAccuracyTests {
  /// Every multiple of 2⁻¹² in [-10, 10], the form switch and the clamp with their neighbours, tiny values.
  static let grid: [Float] = {
    var values = (-10 * 4096...10 * 4096).map { Float($0) / 4096 }
    for boundary: Float in [0.625, 9.01, 10] {
      for value in [boundary, boundary.nextDown, boundary.nextUp] { values += [value, -value] }
    }
    values += [.leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, 1e-30, -1e-20, 1e-5, 3e-3]
    return values
  }()

  /// Within 4 units in the last place of the exact value (measured: 0.9 for the polynomial, 3 for the
  /// exponential form), relative to the result.
  @Test func tanhIsWithinFourUnitsInTheLastPlace() {
    let y = apply(.tanh, Self.grid)
    var worst: (units: Double, x: Float) = (0, 0)
    for (x, value) in zip(Self.grid, y) {
      let exact = Foundation.tanh(Double(x))
      let unit = Double(Float(exact).magnitude.ulp)
      let units = abs(Double(value) - exact) / unit
      if units > worst.units { worst = (units, x) }
    }
    #expect(worst.units <= 4, "largest error \(worst.units) units in the last place at \(worst.x)")
  }

  @Test func specialValues() {
    let y = apply(.tanh, [0, -0.0, .infinity, -.infinity, 100, -100, .nan])
    #expect(y[0] == 0 && y[0].sign == .plus)
    #expect(y[1] == 0 && y[1].sign == .minus)
    #expect(Array(y[2...5]) == [1, -1, 1, -1])
    #expect(y[6].isNaN)
  }

  @Test func scaledTanhFollowsTanh() {
    let y = apply(.scaledTanh(alpha: 1.5, beta: 0.5), Self.grid)
    for (x, value) in zip(Self.grid, y) {
      let exact = 1.5 * Foundation.tanh(Double(Float(0.5) * x))
      #expect(abs(Double(value) - exact) <= 6 * Double(Float(exact).magnitude.ulp), "scaled_tanh(\(x)) = \(value)")
    }
  }

  private func apply(_ function: PointwiseFunction, _ values: [Float]) -> [Float] {
    var output = [Float](repeating: 0, count: values.count)
    values.withUnsafeBufferPointer { x in
      output.withUnsafeMutableBufferPointer { y in function.apply(x.baseAddress!, y.baseAddress!, count: values.count) }
    }
    return output
  }
}
