import ResKernels
import Testing

/// The halving reductions softmax and layer norm finish their rows with: the exact sum of small integers in
/// every lane position, the largest lane wherever it sits, and NaN lanes left out of the maximum.
@Suite struct VectorReductionTests {
  @Test func sumsEveryLane() {
    for lane in 0..<16 {
      var v = SIMD16<Float>(repeating: 1)
      v[lane] = 100
      #expect(VectorReduction.sum(v) == 115, "lane \(lane)")
    }
    let ramp = SIMD16<Float>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
    #expect(VectorReduction.sum(ramp) == 120)
    #expect(VectorReduction.sum(SIMD16(repeating: -.infinity)) == -.infinity)
  }

  @Test func findsTheLargestLaneAnywhere() {
    for lane in 0..<16 {
      var v = SIMD16<Float>(repeating: -5)
      v[lane] = -1
      #expect(VectorReduction.maximum(v) == -1, "lane \(lane)")
      var withInfinity = SIMD16<Float>(repeating: -.infinity)
      withInfinity[lane] = 3
      #expect(VectorReduction.maximum(withInfinity) == 3, "lane \(lane) among -inf")
    }
    #expect(VectorReduction.maximum(SIMD16(repeating: -.infinity)) == -.infinity)
  }

  @Test func leavesNaNLanesOut() {
    for nanLane in 0..<16 {
      for largest in 0..<16 where largest != nanLane {
        var v = SIMD16<Float>(repeating: 0)
        v[nanLane] = .nan
        v[largest] = 7
        #expect(VectorReduction.maximum(v) == 7, "NaN in lane \(nanLane), 7 in lane \(largest)")
      }
    }
    for parity in 0..<2 {
      var v = SIMD16<Float>(repeating: 1)
      for lane in stride(from: parity, to: 16, by: 2) { v[lane] = .nan }
      v[1 - parity] = 2
      #expect(VectorReduction.maximum(v) == 2, "NaN in every lane of parity \(parity)")
    }
    #expect(VectorReduction.maximum(SIMD16(repeating: .nan)).isNaN)
  }

  /// Random NaN patterns (every step of the halving meets NaN on either side somewhere) against the largest
  /// non-NaN lane found one by one.
  @Test func matchesALaneByLaneMaximumOverRandomNaNPatterns() {
    var random = SeededGenerator(seed: 41)
    for trial in 0..<500 {
      var v = SIMD16<Float>()
      for lane in 0..<16 {
        v[lane] = Bool.random(using: &random) ? .nan : Float(Int.random(in: -50...50, using: &random))
      }
      let numbers = (0..<16).map { v[$0] }.filter { !$0.isNaN }
      let result = VectorReduction.maximum(v)
      if let expected = numbers.max() {
        #expect(result == expected, "trial \(trial): \(v)")
      } else {
        #expect(result.isNaN, "trial \(trial)")
      }
    }
  }
}
