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
    if tile.columns <= 8 {
      runLowerHalf(tile)
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

  /// `run` for a tile of at most 8 columns: only the lower half of each 16-wide panel row is loaded and
  /// multiplied. Such a tile is the last column panel of a GEMM whose column count leaves 1–8 over, and
  /// computing all 16 lanes cost it as much as a full panel: 49 positions (the 7×7 stages of ResNet-50,
  /// DenseNet-121 and MobileNetV2) are three full panels and one of a single column, a quarter of the work
  /// for one column of output.
  ///
  /// Six 8-lane chains would leave the two FMA pipes idle half their 4-cycle latency, so even and odd
  /// reduction steps sum into separate accumulators, added at the end. A column is always in a tail tile or
  /// always in a full one whatever the split over threads (splits fall on panel boundaries), so results stay
  /// the same on any thread count.
  static func runLowerHalf(_ tile: GemmTile) {
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
    var a = tile.a
    var b = tile.b
    var remaining = tile.depth
    while remaining >= 2 {
      let even = VectorAccess.loadLower(b)
      let odd = VectorAccess.loadLower(b + 16)
      VectorArithmetic.multiplyAdd(&e0, a[0], even)
      VectorArithmetic.multiplyAdd(&e1, a[1], even)
      VectorArithmetic.multiplyAdd(&e2, a[2], even)
      VectorArithmetic.multiplyAdd(&e3, a[3], even)
      VectorArithmetic.multiplyAdd(&e4, a[4], even)
      VectorArithmetic.multiplyAdd(&e5, a[5], even)
      VectorArithmetic.multiplyAdd(&o0, a[6], odd)
      VectorArithmetic.multiplyAdd(&o1, a[7], odd)
      VectorArithmetic.multiplyAdd(&o2, a[8], odd)
      VectorArithmetic.multiplyAdd(&o3, a[9], odd)
      VectorArithmetic.multiplyAdd(&o4, a[10], odd)
      VectorArithmetic.multiplyAdd(&o5, a[11], odd)
      a += 12
      b += 32
      remaining -= 2
    }
    if remaining == 1 {
      let last = VectorAccess.loadLower(b)
      VectorArithmetic.multiplyAdd(&e0, a[0], last)
      VectorArithmetic.multiplyAdd(&e1, a[1], last)
      VectorArithmetic.multiplyAdd(&e2, a[2], last)
      VectorArithmetic.multiplyAdd(&e3, a[3], last)
      VectorArithmetic.multiplyAdd(&e4, a[4], last)
      VectorArithmetic.multiplyAdd(&e5, a[5], last)
    }
    let finished = (e0 + o0, e1 + o1, e2 + o2, e3 + o3, e4 + o4, e5 + o5)
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 6) { buffer in
      let rows = buffer.baseAddress!
      rows[0] = SIMD16(lowHalf: finished.0, highHalf: SIMD8())
      rows[1] = SIMD16(lowHalf: finished.1, highHalf: SIMD8())
      rows[2] = SIMD16(lowHalf: finished.2, highHalf: SIMD8())
      rows[3] = SIMD16(lowHalf: finished.3, highHalf: SIMD8())
      rows[4] = SIMD16(lowHalf: finished.4, highHalf: SIMD8())
      rows[5] = SIMD16(lowHalf: finished.5, highHalf: SIMD8())
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
