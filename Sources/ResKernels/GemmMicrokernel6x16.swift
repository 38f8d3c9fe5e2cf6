/// The f32 GEMM microkernel with a 6 × 16 register tile: six rows of A against sixteen columns of B.
///
/// Six `SIMD16<Float>` accumulators are twelve 256-bit registers on AVX2 (plus one for B and one broadcast:
/// 14 of 16) and six 512-bit registers on AVX-512. The inner loop is only a vector load of B, six broadcasts
/// of A and six multiply-adds (perf-notes.md: unrolled local SIMD accumulators with pointer loads reach the
/// FMA peak). It allocates nothing and knows no shapes: the operator packs the panels and calls it per tile.
public enum GemmMicrokernel6x16 {
  public static let mr = 6
  public static let nr = 16

  public static func run(_ tile: GemmTile) {
    tile.prefetchOutput()
    if tile.columns <= halfWidth {
      let rows = (tile.a, tile.a + 1, tile.a + 2, tile.a + 3, tile.a + 4, tile.a + 5)
      if tile.columns == 1 {
        runSingleColumn(tile, rows: rows, step: mr, packed: true)
      } else {
        runLowerHalf(tile, rows: rows, step: mr)
      }
      return
    }
    var c0 = SIMD16<Float>()
    var c1 = SIMD16<Float>()
    var c2 = SIMD16<Float>()
    var c3 = SIMD16<Float>()
    var c4 = SIMD16<Float>()
    var c5 = SIMD16<Float>()
    var a = tile.a
    var b = tile.b
    var remaining = tile.depth
    while remaining > 0 {
      let bv = VectorAccess.load(b)
      VectorArithmetic.multiplyAdd(&c0, a[0], bv)
      VectorArithmetic.multiplyAdd(&c1, a[1], bv)
      VectorArithmetic.multiplyAdd(&c2, a[2], bv)
      VectorArithmetic.multiplyAdd(&c3, a[3], bv)
      VectorArithmetic.multiplyAdd(&c4, a[4], bv)
      VectorArithmetic.multiplyAdd(&c5, a[5], bv)
      a += 6
      b += 16
      remaining -= 1
    }
    // Constants, not the variables: a closure capturing the accumulators would keep them in memory and
    // store them on every step of the loop above.
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

  /// Adds what C holds (later K blocks), applies the epilogue (last K block) and stores the valid rows and
  /// columns: each step a loop over the tile's rows, so the epilogue's branches are taken once per tile.
  @inline(__always)
  static func finish(_ rows: UnsafeMutablePointer<SIMD16<Float>>, _ tile: GemmTile) {
    let count = tile.rows
    if tile.accumulate {
      for row in 0..<count { rows[row] += VectorAccess.loadPartial(tile.c + row * tile.cRowStride, tile.columns) }
    }
    tile.epilogue?.apply(rows, count: count, columns: tile.columns)
    for row in 0..<count { VectorAccess.storePartial(rows[row], tile.c + row * tile.cRowStride, tile.columns) }
  }
}
