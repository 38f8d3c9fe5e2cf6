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
    finish(c0, row: 0, tile)
    finish(c1, row: 1, tile)
    finish(c2, row: 2, tile)
    finish(c3, row: 3, tile)
    finish(c4, row: 4, tile)
    finish(c5, row: 5, tile)
  }

  /// Adds what C holds (later K blocks), applies the epilogue (last K block) and stores the valid lanes.
  @inline(__always)
  static func finish(_ sums: SIMD16<Float>, row: Int, _ tile: GemmTile) {
    guard row < tile.rows else { return }
    let destination = tile.c + row * tile.cRowStride
    var values = sums
    if tile.accumulate { values += VectorAccess.loadPartial(destination, tile.columns) }
    if let epilogue = tile.epilogue { values = epilogue.apply(values, row: row, columns: tile.columns) }
    VectorAccess.storePartial(values, destination, tile.columns)
  }
}
