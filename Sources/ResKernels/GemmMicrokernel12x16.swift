import ResCPU
/// The f32 GEMM microkernel with a 12 × 16 register tile, A read in place: twelve rows of A against one
/// 16-column panel of B, for AVX-512 builds multiplying a B of fewer than 32 columns.
///
/// A GEMM that narrow cannot fill `GemmMicrokernel6x32`'s two panels: MobileNetV2's projections to 16 and 24
/// channels, thousands of positions each. There the 6 × 16 tile keeps only six sums in flight (two FMA pipes
/// of four-cycle latency need eight) and loads a B vector per six multiply-adds; twelve rows keep twelve
/// sums in flight and halve B's loads. On AVX2 the twelve `SIMD16` accumulators would be 24 of its 16
/// registers, so only AVX-512 builds use it (`GemmMicrokernel6x32.preferred`).
///
/// Every output is the same chain of multiply-adds in the same order as on `GemmMicrokernel6x16`'s
/// full-width path, and tiles of at most `GemmMicrokernel6x16.halfWidth` columns (which that kernel sums on
/// its narrower path) go to it as two tiles of six rows, so results do not depend on the kernel.
public enum GemmMicrokernel12x16 {
  public static let mr = 12
  public static let nr = 16
  /// Rows of each of the two halves the tile is stored as.
  static let halfRows = GemmMicrokernel6x16.mr

  public static func runReadingRows(_ tile: GemmTile) {
    guard tile.columns > GemmMicrokernel6x16.halfWidth, tile.rows > halfRows else {
      GemmMicrokernel6x16.runReadingRows(tile.upperRows)
      if tile.rows > halfRows { GemmMicrokernel6x16.runReadingRows(tile.lowerRows) }
      return
    }
    tile.prefetchOutput()
    let (upper, lower) = tile.rows == mr ? wholeTileSums(tile) : sums(tile)
    let (top, bottom) = (tile.upperRows, tile.lowerRows)
    if let upperStore = WholeTileStore(top, panels: 1), let lowerStore = WholeTileStore(bottom, panels: 1) {
      upperStore.store(upper, panel: 0)
      lowerStore.store(lower, panel: 0)
      return
    }
    GemmMicrokernel6x16.finish(upper, top)
    GemmMicrokernel6x16.finish(lower, bottom)
  }

  /// The sums of a tile of all twelve rows, whose rows are evenly spaced: four row pointers advance with the
  /// reduction and the rows between them are one and two strides on, which x86-64 addresses as base + stride
  /// × 4 or × 8. Twelve pointers of their own, with the step counter and B's, needed more registers than
  /// there are and five were reloaded from the stack every step (MobileNetV2's 32→16 projection at 112x112).
  @inline(__always)
  private static func wholeTileSums(_ tile: GemmTile) -> (GemmMicrokernel6x16.Sums, GemmMicrokernel6x16.Sums) {
    let stride = tile.aRowStride
    var p0 = tile.a
    var p3 = tile.a + 3 * stride
    var p6 = tile.a + 6 * stride
    var p9 = tile.a + 9 * stride
    var c0 = SIMD16<Float>()
    var c1 = SIMD16<Float>()
    var c2 = SIMD16<Float>()
    var c3 = SIMD16<Float>()
    var c4 = SIMD16<Float>()
    var c5 = SIMD16<Float>()
    var c6 = SIMD16<Float>()
    var c7 = SIMD16<Float>()
    var c8 = SIMD16<Float>()
    var c9 = SIMD16<Float>()
    var c10 = SIMD16<Float>()
    var c11 = SIMD16<Float>()
    var b = tile.b
    let end = tile.b + tile.depth * nr
    // The next tile's twelve rows (the positions after these, contiguous in a channels-last tensor), one
    // line hinted per step: MobileNetV2's 32→16 projection at 112x112 0.202 → 0.197 ms and a 24→16 one at
    // 56x56 0.045 → 0.041 (one-layer models, medians of eight alternating rounds). A hint never faults, so
    // the last tile's hints past the end of A are harmless.
    var ahead = tile.a + 12 * stride
    while b < end {
      rescpu_prefetch_for_read(ahead)
      ahead += 16
      let bv = VectorAccess.load(b)
      VectorArithmetic.multiplyAdd(&c0, p0[0], bv)
      VectorArithmetic.multiplyAdd(&c1, p0[stride], bv)
      VectorArithmetic.multiplyAdd(&c2, p0[2 &* stride], bv)
      VectorArithmetic.multiplyAdd(&c3, p3[0], bv)
      VectorArithmetic.multiplyAdd(&c4, p3[stride], bv)
      VectorArithmetic.multiplyAdd(&c5, p3[2 &* stride], bv)
      VectorArithmetic.multiplyAdd(&c6, p6[0], bv)
      VectorArithmetic.multiplyAdd(&c7, p6[stride], bv)
      VectorArithmetic.multiplyAdd(&c8, p6[2 &* stride], bv)
      VectorArithmetic.multiplyAdd(&c9, p9[0], bv)
      VectorArithmetic.multiplyAdd(&c10, p9[stride], bv)
      VectorArithmetic.multiplyAdd(&c11, p9[2 &* stride], bv)
      p0 += 1
      p3 += 1
      p6 += 1
      p9 += 1
      b += nr
    }
    return ((c0, c1, c2, c3, c4, c5), (c6, c7, c8, c9, c10, c11))
  }

  /// The sums of a tile of 7 to 11 rows (rows past the last repeat it).
  @inline(__always)
  private static func sums(_ tile: GemmTile) -> (GemmMicrokernel6x16.Sums, GemmMicrokernel6x16.Sums) {
    let last = tile.rows - 1
    let stride = tile.aRowStride
    let a0 = tile.a
    let a1 = tile.a + stride
    let a2 = tile.a + 2 * stride
    let a3 = tile.a + 3 * stride
    let a4 = tile.a + 4 * stride
    let a5 = tile.a + 5 * stride
    let a6 = tile.a + 6 * stride
    let a7 = tile.a + min(7, last) * stride
    let a8 = tile.a + min(8, last) * stride
    let a9 = tile.a + min(9, last) * stride
    let a10 = tile.a + min(10, last) * stride
    let a11 = tile.a + min(11, last) * stride
    var c0 = SIMD16<Float>()
    var c1 = SIMD16<Float>()
    var c2 = SIMD16<Float>()
    var c3 = SIMD16<Float>()
    var c4 = SIMD16<Float>()
    var c5 = SIMD16<Float>()
    var c6 = SIMD16<Float>()
    var c7 = SIMD16<Float>()
    var c8 = SIMD16<Float>()
    var c9 = SIMD16<Float>()
    var c10 = SIMD16<Float>()
    var c11 = SIMD16<Float>()
    var b = tile.b
    var step = 0
    while step < tile.depth {
      let bv = VectorAccess.load(b)
      VectorArithmetic.multiplyAdd(&c0, a0[step], bv)
      VectorArithmetic.multiplyAdd(&c1, a1[step], bv)
      VectorArithmetic.multiplyAdd(&c2, a2[step], bv)
      VectorArithmetic.multiplyAdd(&c3, a3[step], bv)
      VectorArithmetic.multiplyAdd(&c4, a4[step], bv)
      VectorArithmetic.multiplyAdd(&c5, a5[step], bv)
      VectorArithmetic.multiplyAdd(&c6, a6[step], bv)
      VectorArithmetic.multiplyAdd(&c7, a7[step], bv)
      VectorArithmetic.multiplyAdd(&c8, a8[step], bv)
      VectorArithmetic.multiplyAdd(&c9, a9[step], bv)
      VectorArithmetic.multiplyAdd(&c10, a10[step], bv)
      VectorArithmetic.multiplyAdd(&c11, a11[step], bv)
      b += 16
      step += 1
    }
    return ((c0, c1, c2, c3, c4, c5), (c6, c7, c8, c9, c10, c11))
  }

}

extension GemmTile {
  /// The first six rows of a twelve-row tile.
  @inline(__always)
  var upperRows: GemmTile {
    var half = self
    half.rows = Swift.min(rows, GemmMicrokernel12x16.halfRows)
    return half
  }

  /// Rows six and on of a twelve-row tile (A read in place): A, C, bias and residual six rows on.
  @inline(__always)
  var lowerRows: GemmTile {
    let offset = GemmMicrokernel12x16.halfRows
    var half = self
    half.a = a + offset * aRowStride
    half.c = c + offset * cRowStride
    half.rows = rows - offset
    half.epilogue = epilogue?.movedDown(rows: offset)
    return half
  }
}
