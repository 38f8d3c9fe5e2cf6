extension GemmMicrokernel6x32 {
  /// One to four rows of a two-panel tile with A read in place, hinting `hint` one line per step: eight
  /// accumulators instead of the twelve of six rows, whose last rows would repeat the last valid row's
  /// multiply-adds. The short last row group of channels-last Winograd's blocks (16 tiles as 12 + 4, 13 as
  /// 12 + 1). Each row's sums are the same chain as `compute`'s, so results do not depend on the path.
  @inline(__always)
  static func runFourRows(_ tile: GemmTile, prefetching hint: UnsafePointer<Float>, into target: PrefetchTarget) {
    tile.prefetchOutput()
    let last = max(0, tile.rows - 1)
    let stride = tile.aRowStride
    let a0 = tile.a
    let a1 = tile.a + min(1, last) * stride
    let a2 = tile.a + min(2, last) * stride
    let a3 = tile.a + min(3, last) * stride
    var l0 = SIMD16<Float>()
    var l1 = SIMD16<Float>()
    var l2 = SIMD16<Float>()
    var l3 = SIMD16<Float>()
    var r0 = SIMD16<Float>()
    var r1 = SIMD16<Float>()
    var r2 = SIMD16<Float>()
    var r3 = SIMD16<Float>()
    var left = tile.b
    let panelOffset = tile.bPanelStride
    var step = 0
    while step < tile.depth {
      target.fetch(hint + step &* 16)
      let bl = VectorAccess.load(left)
      let br = VectorAccess.load(left + panelOffset)
      var x = a0[step]
      VectorArithmetic.multiplyAdd(&l0, x, bl)
      VectorArithmetic.multiplyAdd(&r0, x, br)
      x = a1[step]
      VectorArithmetic.multiplyAdd(&l1, x, bl)
      VectorArithmetic.multiplyAdd(&r1, x, br)
      x = a2[step]
      VectorArithmetic.multiplyAdd(&l2, x, bl)
      VectorArithmetic.multiplyAdd(&r2, x, br)
      x = a3[step]
      VectorArithmetic.multiplyAdd(&l3, x, bl)
      VectorArithmetic.multiplyAdd(&r3, x, br)
      left += GemmMicrokernel6x16.nr
      step += 1
    }
    let (leftSums, rightSums) = ((l0, l1, l2, l3), (r0, r1, r2, r3))
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 4) { buffer in
      let rows = buffer.baseAddress!
      (rows[0], rows[1], rows[2], rows[3]) = leftSums
      GemmMicrokernel6x16.finish(rows, tile.leftPanel)
      (rows[0], rows[1], rows[2], rows[3]) = rightSums
      GemmMicrokernel6x16.finish(rows, tile.rightPanel)
    }
  }
}
