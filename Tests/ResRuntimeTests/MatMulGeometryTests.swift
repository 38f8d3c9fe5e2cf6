import Testing

@testable import ResRuntime

/// MatMuls of seeded random shape against numpy's semantics, through
/// `DenseOperatorTests.matMulMatchesNumpySemantics` (B constant and computed, one thread and three bit-identical,
/// every B packing): vectors on either side, up to two broadcast batch axes on each, M of 1–40, K of 1–700 (one
/// to two K blocks), N of 1–70, a bias over N and a residual. So the GEMM's partial tiles, its single-row and
/// single-column paths and its splits over threads meet sizes no hand-written case thought of.
@Suite struct MatMulGeometryTests {
  @Test func randomShapesMatchNumpySemantics() throws {
    var random = SeededGenerator(seed: 31)
    var checked = 0
    while checked < 60 {
      let m = random.next() % 5 == 0 ? 1 : Int(random.next() % 40) + 1
      let k = random.next() % 3 == 0 ? Int(random.next() % 700) + 1 : Int(random.next() % 64) + 1
      let n = random.next() % 5 == 0 ? 1 : Int(random.next() % 70) + 1
      let batch = (0..<Int(random.next() % 3)).map { _ in Int(random.next() % 3) + 1 }
      let aBatch = batch.map { random.next() % 3 == 0 ? 1 : $0 }
      let bBatch = batch.suffix(Int(random.next() % UInt64(batch.count + 1))).map { random.next() % 3 == 0 ? 1 : $0 }
      let aIsVector = random.next() % 8 == 0
      let bIsVector = random.next() % 8 == 0
      let a = aIsVector ? [k] : aBatch + [m, k]
      let b = bIsVector ? [k] : bBatch + [k, n]
      let outerA = aIsVector ? [] : aBatch
      let outerB = bIsVector ? [] : Array(bBatch)
      let rank = max(outerA.count, outerB.count)
      let outer = (0..<rank).map { axis -> Int in
        let left = axis >= rank - outerA.count ? outerA[axis - (rank - outerA.count)] : 1
        let right = axis >= rank - outerB.count ? outerB[axis - (rank - outerB.count)] : 1
        return max(left, right)
      }
      let y = outer + (aIsVector ? [] : [m]) + (bIsVector ? [] : [n])
      guard y.reduce(1, *) * k <= 400_000 else { continue }
      let spec = DenseOperatorTests.MatMulCase(
        a: a, b: b, y: y, bias: !bIsVector && random.next() % 2 == 0 ? [n] : nil, residual: random.next() % 2 == 0)
      for constantB in [true, false] {
        try DenseOperatorTests().matMulMatchesNumpySemantics(spec, constantB: constantB)
      }
      checked += 1
    }
  }
}
