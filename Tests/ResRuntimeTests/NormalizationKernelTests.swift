import Foundation
import ResKernels
import Testing

/// The vector `exp`, softmax row and layer-norm row kernels against double-precision loops: every row length
/// from 1 to 40 (whole vectors, tails, both) and longer rows, values far from zero, special values. The row
/// grids run from KernelGridTests, as the registry's `softmaxRow`, `softmaxRows` and `layerNormRow`.
@Suite struct NormalizationKernelTests {
  static let rowLengths = Array(1...40) + [63, 64, 65, 192, 197, 768, 1000]

  static func checkSoftmaxRows() {
    for count in rowLengths { softmaxRowMatchesNaiveLoop(count: count) }
  }

  /// Rows of one length run four at a time give each row the single-row kernel's bits: 1 to 9 rows (whole
  /// groups and leftovers), every row length of the grid, rows spaced wider than they are long, in place, and
  /// groups where one row is outside the ordinary range (a NaN, a row all −∞, an infinite element).
  static func checkSoftmaxRowGroups() {
    for count in rowLengths {
      for rows in 1...9 { softmaxRowGroupMatchesSingleRows(count: count, rows: rows, stride: count + (rows % 3) * 5) }
    }
    for special in [Float.nan, .infinity, -.infinity, 3e38] {
      for count in [16, 31, 197] {
        softmaxRowGroupMatchesSingleRows(count: count, rows: 8, stride: count, special: special)
      }
    }
  }

  private static func softmaxRowGroupMatchesSingleRows(count: Int, rows: Int, stride: Int, special: Float? = nil) {
    var generator = SeededFloats(seed: UInt64(count * 16 + rows))
    var x = (0..<(rows * stride)).map { _ in generator.float(in: -20...20) }
    if let special {
      // Row 5 of 8 (the second group) gets it: one element; or the whole row for −∞ (a fully masked row);
      // or, for a huge value, every element but a first −∞, a row whose own sum overflows to ∞ and meets the
      // −∞ (NaN: `run` takes the general exponential, which must give the same bits).
      switch special {
      case -.infinity: for i in 0..<count { x[5 * stride + i] = special }
      case 3e38:
        for i in 0..<count { x[5 * stride + i] = special }
        x[5 * stride] = -.infinity
      default: x[5 * stride + count / 2] = special
      }
    }
    var expected = [Float](repeating: .nan, count: rows * stride)
    x.withUnsafeBufferPointer { input in
      expected.withUnsafeMutableBufferPointer { output in
        for row in 0..<rows {
          SoftmaxMicrokernel.run(input.baseAddress! + row * stride, output.baseAddress! + row * stride, count: count)
        }
      }
    }
    var grouped = [Float](repeating: .nan, count: rows * stride)
    x.withUnsafeBufferPointer { input in
      grouped.withUnsafeMutableBufferPointer { output in
        SoftmaxMicrokernel.run(input.baseAddress!, output.baseAddress!, count: count, rows: rows, stride: stride)
      }
    }
    #expect(grouped.map(\.bitPattern) == expected.map(\.bitPattern), "\(rows) rows of \(count), stride \(stride)")
    var inPlace = x
    inPlace.withUnsafeMutableBufferPointer { buffer in
      SoftmaxMicrokernel.run(
        UnsafePointer(buffer.baseAddress!), buffer.baseAddress!, count: count, rows: rows, stride: stride)
    }
    for row in 0..<rows {
      let range = (row * stride)..<(row * stride + count)
      #expect(
        inPlace[range].map(\.bitPattern) == expected[range].map(\.bitPattern),
        "in place, row \(row) of \(rows) rows of \(count)")
      #expect(
        inPlace[(row * stride + count)..<((row + 1) * stride)].map(\.bitPattern)
          == x[(row * stride + count)..<((row + 1) * stride)].map(\.bitPattern),
        "nothing between rows is written")
    }
  }

  static func checkLayerNormRows() {
    for count in rowLengths { layerNormRowMatchesNaiveLoop(count: count) }
  }

  @Test func expIsWithinTwoUnitsInTheLastPlace() {
    var grid = (-87 * 256...88 * 256).map { Float($0) / 256 }
    grid += [0, -0.0, 1e-30, -1e-30, 0.346_573_6, -0.346_573_6, 88.3, -87.3]
    let y = Self.exp(grid)
    var worst: (error: Double, x: Float) = (0, 0)
    for (x, value) in zip(grid, y) {
      let exact = Foundation.exp(Double(x))
      let error = abs(Double(value) - exact) / exact
      if error > worst.error { worst = (error, x) }
    }
    #expect(worst.error <= 2.5e-7, "largest relative error \(worst.error) at \(worst.x)")
  }

  @Test func expHandlesTheEdgesOfTheRange() {
    let y = Self.exp([-.infinity, -1000, -87.4, 88.4, 1000, .infinity, .nan])
    #expect(y[0] == 0 && y[1] == 0 && y[2] == 0)
    #expect(y[3] == .infinity && y[4] == .infinity && y[5] == .infinity)
    #expect(y[6].isNaN)
  }

  /// Softmax's exponential for scores less their maximum gives `exp`'s bits wherever it is used: at or below 0,
  /// −∞ included, across the underflow bound.
  @Test func expOfNonPositiveHasExpsBits() {
    var grid = (-110 * 64...0).map { Float($0) / 64 }
    grid += [-.infinity, -0.0, -Float.leastNonzeroMagnitude, -1e-30, -87.336_55, (-87.336_55 as Float).nextUp,
      (-87.336_55 as Float).nextDown, -Float.greatestFiniteMagnitude]
    var offset = 0
    while offset < grid.count {
      let width = min(16, grid.count - offset)
      let v = grid.withUnsafeBufferPointer { VectorAccess.loadPartial($0.baseAddress! + offset, width) }
      let fast = VectorExp.expOfNonPositive(v)
      let general = VectorExp.exp(v)
      for lane in 0..<width {
        #expect(fast[lane].bitPattern == general[lane].bitPattern, "x = \(v[lane])")
      }
      offset += 16
    }
  }

  /// Rows the quick exponential must not see (a NaN of any payload, +∞, nothing but −∞) come out as they always
  /// did, all NaN;
  /// a row whose sum overflows beside a masked −∞ still normalizes. Each at a partial, whole and overlapping
  /// length.
  @Test(arguments: [5, 32, 197])
  func softmaxRowsOutsideTheOrdinaryRange(count: Int) {
    let ramp = (0..<count).map { Float($0 % 7) }
    // A NaN with a payload too: its bits, shifted into the exponent, would turn the quick exponential's NaN
    // into a number.
    for special in [Float.nan, Float(bitPattern: 0x7FC0_0001), Float(bitPattern: 0xFFC0_1234), .infinity] {
      var row = ramp
      row[count / 2] = special
      let y = Self.softmaxInPlace(row)
      #expect(y.allSatisfy { $0.isNaN }, "\(special) in a row of \(count)")
    }
    let masked = Self.softmaxInPlace([Float](repeating: -.infinity, count: count))
    #expect(masked.allSatisfy { $0.isNaN })
    var huge = [Float](repeating: 3e38, count: count)
    huge[0] = -.infinity
    let y = Self.softmaxInPlace(huge)
    #expect(y[0] == 0)
    #expect(y[1...].allSatisfy { abs($0 - 1 / Float(count - 1)) < 1e-6 }, "row of \(count)")
  }

  private static func softmaxInPlace(_ row: [Float]) -> [Float] {
    var y = row
    y.withUnsafeMutableBufferPointer { buffer in
      SoftmaxMicrokernel.run(UnsafePointer(buffer.baseAddress!), buffer.baseAddress!, count: buffer.count)
    }
    return y
  }

  private static func softmaxRowMatchesNaiveLoop(count: Int) {
    var generator = SeededFloats(seed: UInt64(count))
    let x = (0..<count).map { _ in generator.float(in: -12...12) + 30 }
    var y = [Float](repeating: .nan, count: count + 3)
    x.withUnsafeBufferPointer { input in
      y.withUnsafeMutableBufferPointer { output in
        SoftmaxMicrokernel.run(input.baseAddress!, output.baseAddress!, count: count)
      }
    }
    let largest = Double(x.max()!)
    let exps = x.map { Foundation.exp(Double($0) - largest) }
    let total = exps.reduce(0, +)
    for i in 0..<count {
      let expected = exps[i] / total
      #expect(abs(Double(y[i]) - expected) <= 1e-6 * expected + 1e-9, "element \(i) of \(count)")
    }
    #expect(y[count...].allSatisfy { $0.isNaN }, "nothing past the row is written")
    var inPlace = x
    inPlace.withUnsafeMutableBufferPointer { row in
      SoftmaxMicrokernel.run(UnsafePointer(row.baseAddress!), row.baseAddress!, count: count)
    }
    #expect(inPlace.map(\.bitPattern) == y[..<count].map(\.bitPattern), "in place, row of \(count)")
  }

  @Test func softmaxRowInPlaceAndWithInfinities() {
    var row: [Float] = [0, -.infinity, 1, -.infinity, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    row.withUnsafeMutableBufferPointer { buffer in
      SoftmaxMicrokernel.run(UnsafePointer(buffer.baseAddress!), buffer.baseAddress!, count: buffer.count)
    }
    #expect(row[1] == 0 && row[3] == 0, "a masked score gets no weight")
    #expect(abs(row.reduce(0, +) - 1) < 1e-6)
  }

  private static func layerNormRowMatchesNaiveLoop(count: Int) {
    var generator = SeededFloats(seed: 100 + UInt64(count))
    let x = (0..<count).map { _ in generator.float(in: -2...2) + 50 }
    let scale = (0..<count).map { _ in generator.float(in: 0.5...1.5) }
    let bias = (0..<count).map { _ in generator.float(in: -1...1) }
    let epsilon: Float = 1e-5
    let mean = x.reduce(0.0) { $0 + Double($1) } / Double(count)
    let variance = x.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(count)
    let inverse = 1 / (variance + Double(epsilon)).squareRoot()
    let statistics = x.withUnsafeBufferPointer {
      LayerNormMicrokernel.statistics($0.baseAddress!, count: count, epsilon: epsilon)
    }
    #expect(abs(Double(statistics.mean) - mean) <= 1e-6 * abs(mean))
    #expect(abs(Double(statistics.inverseDeviation) - inverse) <= 1e-4 * inverse)
    for withBias in [false, true] {
      var y = [Float](repeating: .nan, count: count + 2)
      x.withUnsafeBufferPointer { input in
        y.withUnsafeMutableBufferPointer { output in
          scale.withUnsafeBufferPointer { scales in
            bias.withUnsafeBufferPointer { biases in
              LayerNormMicrokernel.normalize(
                input.baseAddress!, output.baseAddress!, count: count, mean: statistics.mean,
                inverseDeviation: statistics.inverseDeviation, scale: scales.baseAddress!,
                bias: withBias ? biases.baseAddress! : nil)
            }
          }
        }
      }
      for i in 0..<count {
        let expected = (Double(x[i]) - mean) * inverse * Double(scale[i]) + (withBias ? Double(bias[i]) : 0)
        #expect(abs(Double(y[i]) - expected) <= 2e-4 * (1 + abs(expected)), "element \(i) of \(count)")
      }
      #expect(y[count...].allSatisfy { $0.isNaN }, "nothing past the row is written")
    }
  }

  @Test func aConstantRowNormalizesToTheBias() {
    let x = [Float](repeating: 7.25, count: 21)
    let statistics = x.withUnsafeBufferPointer {
      LayerNormMicrokernel.statistics($0.baseAddress!, count: 21, epsilon: 1e-5)
    }
    #expect(statistics.mean == 7.25)
    #expect(abs(statistics.inverseDeviation - 1 / Float(1e-5).squareRoot()) < 1)
  }

  private static func exp(_ x: [Float]) -> [Float] {
    var y = x
    var offset = 0
    while offset < x.count {
      let width = min(16, x.count - offset)
      x.withUnsafeBufferPointer { input in
        y.withUnsafeMutableBufferPointer { output in
          let v = VectorAccess.loadPartial(input.baseAddress! + offset, width)
          VectorAccess.storePartial(VectorExp.exp(v), output.baseAddress! + offset, width)
        }
      }
      offset += 16
    }
    return y
  }
}

/// A small seeded generator of floats for the kernel tests.
private struct SeededFloats {
  var state: UInt64
  init(seed: UInt64) { state = seed &+ 0x1234_5678 }

  mutating func float(in range: ClosedRange<Float>) -> Float {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    let unit = Float(z >> 40) / Float(1 << 24)
    return range.lowerBound + unit * (range.upperBound - range.lowerBound)
  }
}
