import ResCPU

extension GemmMicrokernel12x32 {
  /// The 12 × 32 tile with A read in place (rows `tile.aRowStride` apart), hinting a later tile's B into
  /// `target` one line per reduction step: channels-last Winograd's products, whose A is the transformed
  /// input written one tile per row and whose B streams from memory.
  ///
  /// With `GemmMicrokernel6x32` a block of 16 or 18 tiles passes over each 32-column weight panel three
  /// times, and every pass issues eight loads per twelve multiply-adds; twelve rows pass twice and issue
  /// fourteen per twenty-four, so the panel comes through the first-level cache once for twelve rows.
  /// Tiles of other sizes go to `GemmMicrokernel6x32` as six-row tiles; every output is the same chain of
  /// multiply-adds in the same order either way, so results do not depend on the kernel.
  public static func runReadingRows(
    _ tile: GemmTile, prefetching upcoming: UnsafePointer<Float>?, into target: PrefetchTarget = .firstLevel
  ) {
    guard tile.rows == mr, tile.columns == nr, let upcoming else {
      GemmMicrokernel6x32.runReadingRows(tile.upperRows, prefetching: upcoming, into: target)
      if tile.rows > panelRows { GemmMicrokernel6x32.runReadingRows(tile.lowerRows, prefetching: nil, into: target) }
      return
    }
    tile.prefetchOutput()
    let sums = wholeTileSums(tile, prefetching: upcoming, into: target)
    store(sums.upper, tile.upperRows)
    store(sums.lower, tile.lowerRows)
  }

  /// Six rows' sums of both panels.
  typealias RowPanelSums = (left: GemmMicrokernel6x16.Sums, right: GemmMicrokernel6x16.Sums)

  /// The sums of all twelve rows. Four row pointers advance with the reduction and the rows between them are
  /// one and two strides on (x86-64's base + stride × 4 or × 8), as in `GemmMicrokernel12x16`: twelve
  /// pointers of their own would not fit the registers beside B's and the counter.
  @inline(__always)
  private static func wholeTileSums(
    _ tile: GemmTile, prefetching hint: UnsafePointer<Float>, into target: PrefetchTarget
  ) -> (upper: RowPanelSums, lower: RowPanelSums) {
    let stride = tile.aRowStride
    var p0 = tile.a
    var p3 = tile.a + 3 * stride
    var p6 = tile.a + 6 * stride
    var p9 = tile.a + 9 * stride
    var l0 = SIMD16<Float>()
    var l1 = SIMD16<Float>()
    var l2 = SIMD16<Float>()
    var l3 = SIMD16<Float>()
    var l4 = SIMD16<Float>()
    var l5 = SIMD16<Float>()
    var l6 = SIMD16<Float>()
    var l7 = SIMD16<Float>()
    var l8 = SIMD16<Float>()
    var l9 = SIMD16<Float>()
    var l10 = SIMD16<Float>()
    var l11 = SIMD16<Float>()
    var r0 = SIMD16<Float>()
    var r1 = SIMD16<Float>()
    var r2 = SIMD16<Float>()
    var r3 = SIMD16<Float>()
    var r4 = SIMD16<Float>()
    var r5 = SIMD16<Float>()
    var r6 = SIMD16<Float>()
    var r7 = SIMD16<Float>()
    var r8 = SIMD16<Float>()
    var r9 = SIMD16<Float>()
    var r10 = SIMD16<Float>()
    var r11 = SIMD16<Float>()
    var left = tile.b
    let panelOffset = tile.bPanelStride
    var ahead = hint
    var remaining = tile.depth
    while remaining > 0 {
      target.fetch(ahead)
      ahead += GemmMicrokernel6x16.nr
      let bl = VectorAccess.load(left)
      let br = VectorAccess.load(left + panelOffset)
      var x = p0[0]
      VectorArithmetic.multiplyAdd(&l0, x, bl)
      VectorArithmetic.multiplyAdd(&r0, x, br)
      x = p0[stride]
      VectorArithmetic.multiplyAdd(&l1, x, bl)
      VectorArithmetic.multiplyAdd(&r1, x, br)
      x = p0[2 &* stride]
      VectorArithmetic.multiplyAdd(&l2, x, bl)
      VectorArithmetic.multiplyAdd(&r2, x, br)
      x = p3[0]
      VectorArithmetic.multiplyAdd(&l3, x, bl)
      VectorArithmetic.multiplyAdd(&r3, x, br)
      x = p3[stride]
      VectorArithmetic.multiplyAdd(&l4, x, bl)
      VectorArithmetic.multiplyAdd(&r4, x, br)
      x = p3[2 &* stride]
      VectorArithmetic.multiplyAdd(&l5, x, bl)
      VectorArithmetic.multiplyAdd(&r5, x, br)
      x = p6[0]
      VectorArithmetic.multiplyAdd(&l6, x, bl)
      VectorArithmetic.multiplyAdd(&r6, x, br)
      x = p6[stride]
      VectorArithmetic.multiplyAdd(&l7, x, bl)
      VectorArithmetic.multiplyAdd(&r7, x, br)
      x = p6[2 &* stride]
      VectorArithmetic.multiplyAdd(&l8, x, bl)
      VectorArithmetic.multiplyAdd(&r8, x, br)
      x = p9[0]
      VectorArithmetic.multiplyAdd(&l9, x, bl)
      VectorArithmetic.multiplyAdd(&r9, x, br)
      x = p9[stride]
      VectorArithmetic.multiplyAdd(&l10, x, bl)
      VectorArithmetic.multiplyAdd(&r10, x, br)
      x = p9[2 &* stride]
      VectorArithmetic.multiplyAdd(&l11, x, bl)
      VectorArithmetic.multiplyAdd(&r11, x, br)
      p0 += 1
      p3 += 1
      p6 += 1
      p9 += 1
      left += GemmMicrokernel6x16.nr
      remaining -= 1
    }
    return (
      ((l0, l1, l2, l3, l4, l5), (r0, r1, r2, r3, r4, r5)),
      ((l6, l7, l8, l9, l10, l11), (r6, r7, r8, r9, r10, r11))
    )
  }

  /// Stores one six-row panel's sums as `GemmMicrokernel6x32` would.
  @inline(__always)
  private static func store(_ sums: RowPanelSums, _ rows: GemmTile) {
    if let whole = WholeTileStore(rows, panels: 2, accumulates: true) {
      whole.store(sums.left, panel: 0)
      whole.store(sums.right, panel: 1)
      return
    }
    GemmMicrokernel6x16.finish(sums.left, rows.leftPanel)
    GemmMicrokernel6x16.finish(sums.right, rows.rightPanel)
  }
}
