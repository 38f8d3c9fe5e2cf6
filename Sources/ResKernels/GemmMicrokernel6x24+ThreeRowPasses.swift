extension GemmMicrokernel6x24 {
  /// `runReadingRows` for builds whose vectors are 256 bits wide: the same six-row tile of 18 to 24 columns,
  /// summed three rows at a time. A row's sums are a 16-lane chain and an 8-lane one, three AVX2 registers:
  /// six rows would need 18 of the 16, three rows take 9 and leave room for B's vectors and the broadcast,
  /// and their nine chains still cover the multiply-add latency (4.5 cycles of multiply-adds per step
  /// against 4 of latency). Each pass's rows are stored as soon as they are summed.
  ///
  /// AVX2 builds ran a 24-channel projection as a 6 × 16 tile and a 6 × 8 one (`runLowerHalf`) per six
  /// rows: every row of A broadcast twice, and the 8-column tile, its broadcasts feeding one multiply-add
  /// each, cost 70 % of the 16-column one. MobileNetV2's 144→24 projection at 56×56 alone (Zen 3, one
  /// thread, medians of 200 runs): 0.30–0.325 → 0.247 ms, 67–72 → 88 GFLOP/s (a projection to 16 channels:
  /// 85). Keeping even and odd steps in separate 8-lane chains (as `runLowerHalf` once did) took 12
  /// registers for the sums, and the compiler then shuffled and spilled them on every step: 0.35 ms.
  ///
  /// Bits: each column is one chain in reduction order, as on every other GEMM kernel reading A in place.
  public static func runReadingRowsInThreeRowPasses(_ tile: GemmTile) {
    precondition(widths.contains(tile.columns), "a 6 × 24 tile has 18 to 24 columns")
    tile.prefetchOutput()
    let last = max(0, tile.rows - 1)
    let stride = tile.aRowStride
    let upperRows = (tile.a, tile.a + min(1, last) * stride, tile.a + min(2, last) * stride)
    let lowerRows = (tile.a + min(3, last) * stride, tile.a + min(4, last) * stride, tile.a + min(5, last) * stride)
    // A whole tile under a clip stores each pass's rows at once: the first pass's six vectors kept for the
    // end would stay in registers through the second pass's loop.
    if let whole = WholeTileStore(tile, columns: nr), whole.activation == nil {
      whole.store(threeRowSums(tile, rows: upperRows), firstRow: 0)
      whole.store(threeRowSums(tile, rows: lowerRows), firstRow: 3)
      return
    }
    let upper = threeRowSums(tile, rows: upperRows)
    let lower = threeRowSums(tile, rows: lowerRows)
    store(
      left: (upper.whole.0, upper.whole.1, upper.whole.2, lower.whole.0, lower.whole.1, lower.whole.2),
      right: (upper.half.0, upper.half.1, upper.half.2, lower.half.0, lower.half.1, lower.half.2), tile)
  }

  /// `narrowRowsInThreeRowPasses` down a tile of any number of rows in one call, six rows at a time
  /// (`MicrokernelRegistry.gemmRowsAPanelAndHalfStrip`): a projection with a short reduction (32→24) pays
  /// about as much to build and call each tile as to sum it.
  public static func runReadingRowsInThreeRowPassesStrip(_ tile: GemmTile) {
    tile.forEachRowPanel(mr) { narrowRowsInThreeRowPasses($0) }
  }

  /// A tile of at most 24 columns and six rows on 256-bit vectors, by width: 18 to 24 columns here, 16 or
  /// fewer on `GemmMicrokernel6x16`, 17 on it panel by panel (its single column on `runSingleColumn`'s
  /// chains), so every column's bits match those kernels'.
  public static func narrowRowsInThreeRowPasses(_ tile: GemmTile) {
    if tile.columns <= GemmMicrokernel6x16.nr {
      GemmMicrokernel6x16.runReadingRows(tile)
    } else if widths.contains(tile.columns) {
      runReadingRowsInThreeRowPasses(tile)
    } else {
      GemmMicrokernel6x16.runReadingRows(tile.leftPanel)
      GemmMicrokernel6x16.runReadingRows(tile.rightPanel)
    }
  }

  /// Three rows' sums: the whole panel's chains and the half panel's.
  typealias ThreeRowSums = (
    whole: (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>), half: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
  )

  /// The reduction of three rows of A (read in place) against the tile's whole panel and half panel.
  @inline(__always)
  private static func threeRowSums(
    _ tile: GemmTile, rows a: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>)
  ) -> ThreeRowSums {
    var l0 = SIMD16<Float>()
    var l1 = SIMD16<Float>()
    var l2 = SIMD16<Float>()
    var r0 = SIMD8<Float>()
    var r1 = SIMD8<Float>()
    var r2 = SIMD8<Float>()
    var left = tile.b
    var right = tile.b + tile.bPanelStride
    var index = 0
    var remaining = tile.depth
    while remaining > 0 {
      let wholeB = VectorAccess.load(left)
      let halfB = VectorAccess.loadLower(right)
      step(&l0, &r0, a.0[index], wholeB, halfB)
      step(&l1, &r1, a.1[index], wholeB, halfB)
      step(&l2, &r2, a.2[index], wholeB, halfB)
      index &+= 1
      left += 16
      right += 16
      remaining -= 1
    }
    return ((l0, l1, l2), (r0, r1, r2))
  }
}

extension WholeTileStore {
  /// Three rows from `firstRow` of a tile of a whole panel and the lower half of the next, clipped in
  /// registers (`activation` nil): `store(_:panel:)`'s and `storeLowerHalf(_:panel:)`'s arithmetic, in their
  /// order, on those rows.
  @_transparent
  func store(_ sums: GemmMicrokernel6x24.ThreeRowSums, firstRow: Int) {
    let bias = VectorAccess.load(columnBias, offset: 0)
    let halfBias = VectorAccess.loadLower(columnBias, offset: 16)
    store(sums.whole.0, row: firstRow, panel: 0, bias)
    storeLowerHalf(sums.half.0, row: firstRow, panel: 1, halfBias)
    store(sums.whole.1, row: firstRow &+ 1, panel: 0, bias)
    storeLowerHalf(sums.half.1, row: firstRow &+ 1, panel: 1, halfBias)
    store(sums.whole.2, row: firstRow &+ 2, panel: 0, bias)
    storeLowerHalf(sums.half.2, row: firstRow &+ 2, panel: 1, halfBias)
  }
}
