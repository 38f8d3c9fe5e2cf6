import ResCPU

extension GemmMicrokernel6x16 {
  /// `runReadingRows` on a tile of sixteen columns that also hints the cache to fetch the B panel a later
  /// tile will read: half a line of `upcoming` per reduction step (a panel of 16 columns has one line per
  /// step, so two tiles' reductions fetch one whole panel of the same depth); and a tile of at most four rows
  /// runs a four-row loop instead of six rows' multiply-adds.
  ///
  /// Both are for GEMMs with few rows and a B streamed from memory (channels-last Winograd on small images:
  /// 16 tiles, row groups of 6, 6 and 4, against 9–17 MB of transformed weights). Without the hints the
  /// first row group over a panel waits for its lines (one per six multiply-adds) and the later groups find
  /// it in the cache; fetches spread over the earlier tiles take the stream off the critical path (C = M =
  /// 256, 16 rows, 36 frequencies: 1.09 → 0.93 ms). Each row's sums are the same operations in the same
  /// order as `runReadingRows`'s, so results do not depend on the path; other tiles go to it unchanged.
  public static func runReadingRows(
    _ tile: GemmTile, prefetching upcoming: UnsafePointer<Float>?, into target: PrefetchTarget = .firstLevel
  ) {
    guard tile.columns == nr, tile.rows != 5 else {
      runReadingRows(tile)
      return
    }
    tile.prefetchOutput()
    let hint = upcoming ?? tile.b
    if tile.rows <= 4 {
      runFourRows(tile, prefetching: hint, into: target)
      return
    }
    let stride = tile.aRowStride
    let (a0, a1, a2) = (tile.a, tile.a + stride, tile.a + 2 * stride)
    let (a3, a4, a5) = (tile.a + 3 * stride, tile.a + 4 * stride, tile.a + 5 * stride)
    var c0 = SIMD16<Float>()
    var c1 = SIMD16<Float>()
    var c2 = SIMD16<Float>()
    var c3 = SIMD16<Float>()
    var c4 = SIMD16<Float>()
    var c5 = SIMD16<Float>()
    var b = tile.b
    var step = 0
    while step < tile.depth {
      target.fetch(hint + step &* 8)
      let bv = VectorAccess.load(b)
      VectorArithmetic.multiplyAdd(&c0, a0[step], bv)
      VectorArithmetic.multiplyAdd(&c1, a1[step], bv)
      VectorArithmetic.multiplyAdd(&c2, a2[step], bv)
      VectorArithmetic.multiplyAdd(&c3, a3[step], bv)
      VectorArithmetic.multiplyAdd(&c4, a4[step], bv)
      VectorArithmetic.multiplyAdd(&c5, a5[step], bv)
      b += 16
      step += 1
    }
    // Constants, not the variables, as in `run`.
    let finished = (c0, c1, c2, c3, c4, c5)
    if storeWholeTile(finished, tile) { return }
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 6) { buffer in
      let rows = buffer.baseAddress!
      rows[0] = finished.0
      rows[1] = finished.1
      rows[2] = finished.2
      rows[3] = finished.3
      rows[4] = finished.4
      rows[5] = finished.5
      finish(rows, tile)
    }
  }

  /// One to four rows: four accumulators, the pointers of rows past `tile.rows` repeating the last valid
  /// row (as in `runReadingRows`).
  @inline(__always)
  private static func runFourRows(_ tile: GemmTile, prefetching hint: UnsafePointer<Float>, into target: PrefetchTarget) {
    let last = max(0, tile.rows - 1)
    let stride = tile.aRowStride
    let a0 = tile.a
    let a1 = tile.a + min(1, last) * stride
    let a2 = tile.a + min(2, last) * stride
    let a3 = tile.a + min(3, last) * stride
    var c0 = SIMD16<Float>()
    var c1 = SIMD16<Float>()
    var c2 = SIMD16<Float>()
    var c3 = SIMD16<Float>()
    var b = tile.b
    var step = 0
    while step < tile.depth {
      target.fetch(hint + step &* 8)
      let bv = VectorAccess.load(b)
      VectorArithmetic.multiplyAdd(&c0, a0[step], bv)
      VectorArithmetic.multiplyAdd(&c1, a1[step], bv)
      VectorArithmetic.multiplyAdd(&c2, a2[step], bv)
      VectorArithmetic.multiplyAdd(&c3, a3[step], bv)
      b += 16
      step += 1
    }
    let finished = (c0, c1, c2, c3)
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 4) { buffer in
      let rows = buffer.baseAddress!
      rows[0] = finished.0
      rows[1] = finished.1
      rows[2] = finished.2
      rows[3] = finished.3
      finish(rows, tile)
    }
  }
}
