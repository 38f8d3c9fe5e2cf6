extension GemmMicrokernel6x16 {
  /// Tiles of at most this many columns take `runLowerHalf` (one column: `runSingleColumn`).
  static let halfWidth = 8

  /// The six rows of A a tile reads: where each row's first reduction step is.
  typealias RowPointers = (
    UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
    UnsafePointer<Float>
  )

  /// The tile of 2 to `halfWidth` columns: only the lower half of each 16-wide panel row is loaded and
  /// multiplied. Such a tile is the last column panel of a GEMM whose column count leaves 2–8 over (ViT's
  /// 197 tokens leave 5, a 14×14 plane 4), and computing all 16 lanes cost it as much as a full panel.
  ///
  /// Row `i` of A is read at `rows.i[s·step]` for reduction step `s`: a packed panel (`rows.i = a + i`, step
  /// `MR`) or A's rows in place (step 1). Both layouts of A take this same path, so a GEMM gives bit-identical
  /// results whichever one it reads (`GemmA.rows` on a split, packed on one thread).
  ///
  /// Six 8-lane chains would leave the two FMA pipes idle half their 4-cycle latency, so even and odd
  /// reduction steps sum into separate accumulators, added at the end. A column is always in a tail tile or
  /// always in a full one whatever the split over threads (splits fall on panel boundaries), so results stay
  /// the same on any thread count.
  @inline(__always)
  static func runLowerHalf(_ tile: GemmTile, rows a: RowPointers, step: Int) {
    var e0 = SIMD8<Float>()
    var e1 = SIMD8<Float>()
    var e2 = SIMD8<Float>()
    var e3 = SIMD8<Float>()
    var e4 = SIMD8<Float>()
    var e5 = SIMD8<Float>()
    var o0 = SIMD8<Float>()
    var o1 = SIMD8<Float>()
    var o2 = SIMD8<Float>()
    var o3 = SIMD8<Float>()
    var o4 = SIMD8<Float>()
    var o5 = SIMD8<Float>()
    var b = tile.b
    var even = 0
    var remaining = tile.depth
    while remaining >= 2 {
      let odd = even + step
      let evenB = VectorAccess.loadLower(b)
      let oddB = VectorAccess.loadLower(b + 16)
      VectorArithmetic.multiplyAdd(&e0, a.0[even], evenB)
      VectorArithmetic.multiplyAdd(&e1, a.1[even], evenB)
      VectorArithmetic.multiplyAdd(&e2, a.2[even], evenB)
      VectorArithmetic.multiplyAdd(&e3, a.3[even], evenB)
      VectorArithmetic.multiplyAdd(&e4, a.4[even], evenB)
      VectorArithmetic.multiplyAdd(&e5, a.5[even], evenB)
      VectorArithmetic.multiplyAdd(&o0, a.0[odd], oddB)
      VectorArithmetic.multiplyAdd(&o1, a.1[odd], oddB)
      VectorArithmetic.multiplyAdd(&o2, a.2[odd], oddB)
      VectorArithmetic.multiplyAdd(&o3, a.3[odd], oddB)
      VectorArithmetic.multiplyAdd(&o4, a.4[odd], oddB)
      VectorArithmetic.multiplyAdd(&o5, a.5[odd], oddB)
      even += 2 * step
      b += 32
      remaining -= 2
    }
    if remaining == 1 {
      let lastB = VectorAccess.loadLower(b)
      VectorArithmetic.multiplyAdd(&e0, a.0[even], lastB)
      VectorArithmetic.multiplyAdd(&e1, a.1[even], lastB)
      VectorArithmetic.multiplyAdd(&e2, a.2[even], lastB)
      VectorArithmetic.multiplyAdd(&e3, a.3[even], lastB)
      VectorArithmetic.multiplyAdd(&e4, a.4[even], lastB)
      VectorArithmetic.multiplyAdd(&e5, a.5[even], lastB)
    }
    // Constants, not the variables, as in `run`.
    let finished = (e0 + o0, e1 + o1, e2 + o2, e3 + o3, e4 + o4, e5 + o5)
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 6) { buffer in
      let sums = buffer.baseAddress!
      sums[0] = SIMD16(lowHalf: finished.0, highHalf: SIMD8())
      sums[1] = SIMD16(lowHalf: finished.1, highHalf: SIMD8())
      sums[2] = SIMD16(lowHalf: finished.2, highHalf: SIMD8())
      sums[3] = SIMD16(lowHalf: finished.3, highHalf: SIMD8())
      sums[4] = SIMD16(lowHalf: finished.4, highHalf: SIMD8())
      sums[5] = SIMD16(lowHalf: finished.5, highHalf: SIMD8())
      finish(sums, tile)
    }
  }
}
