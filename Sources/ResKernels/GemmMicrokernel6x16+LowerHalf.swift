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
  /// Each column is one chain of multiply-adds in reduction order, as on the full-width path and on every
  /// wider kernel (`GemmMicrokernel6x24` sums a 24-column tile's last 8 columns the same way), so a column's
  /// bits do not depend on which tile or kernel a split gives it. Six 8-lane chains keep the two FMA pipes
  /// busy three quarters of their 4-cycle latency; even and odd steps in separate chains (12 in flight)
  /// measured no faster in the network (a 1x1 to 40 channels at 56×56 on Zen 3: 0.48–0.49 ms → 0.50), and
  /// the wider kernels that share these bits could not hold them in registers. A whole tile of 8 columns
  /// under a clip is stored from the registers (`WholeTileStore.storeLowerHalf`).
  @inline(__always)
  static func runLowerHalf(_ tile: GemmTile, rows a: RowPointers, step: Int) {
    var c0 = SIMD8<Float>()
    var c1 = SIMD8<Float>()
    var c2 = SIMD8<Float>()
    var c3 = SIMD8<Float>()
    var c4 = SIMD8<Float>()
    var c5 = SIMD8<Float>()
    var b = tile.b
    var index = 0
    var remaining = tile.depth
    while remaining > 0 {
      let bv = VectorAccess.loadLower(b)
      VectorArithmetic.multiplyAdd(&c0, a.0[index], bv)
      VectorArithmetic.multiplyAdd(&c1, a.1[index], bv)
      VectorArithmetic.multiplyAdd(&c2, a.2[index], bv)
      VectorArithmetic.multiplyAdd(&c3, a.3[index], bv)
      VectorArithmetic.multiplyAdd(&c4, a.4[index], bv)
      VectorArithmetic.multiplyAdd(&c5, a.5[index], bv)
      index &+= step
      b += 16
      remaining -= 1
    }
    // Constants, not the variables, as in `run`.
    let finished = (c0, c1, c2, c3, c4, c5)
    if let whole = WholeTileStore(tile, columns: halfWidth), whole.activation == nil {
      whole.storeLowerHalf(finished, panel: 0)
      return
    }
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
