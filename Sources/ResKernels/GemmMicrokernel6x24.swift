/// The f32 GEMM microkernel for a B of 18 to 24 columns, A read in place: six rows against one whole 16-wide
/// panel and the lower half of the next, in one pass over A, for builds whose vectors are 512 bits wide.
///
/// MobileNetV2's projections to 24 channels (3136 and 12544 positions) ran as two tiles per six rows, the
/// first panel on `GemmMicrokernel12x16` and the 8 columns left over on `GemmMicrokernel6x16.runLowerHalf`:
/// every row of A was broadcast twice, 54 loads per 48 multiply-adds of twelve rows and two steps. Here each
/// broadcast feeds both panels: 16 loads per 24 multiply-adds.
///
/// Bits: every column is one chain of multiply-adds in reduction order, as on `GemmMicrokernel6x16`'s
/// full-width path and on its `runLowerHalf`, so a column gets the same bits whichever of those kernels a
/// thread's split gives it (`narrowRowsReadingRows` dispatches by width). A single column left over takes
/// `runSingleColumn`'s four chains there, so 17 columns stay on those kernels.
public enum GemmMicrokernel6x24 {
  public static let mr = 6
  /// Columns of the tile: a whole panel and the lower half of the next.
  public static let nr = GemmMicrokernel6x16.nr + GemmMicrokernel6x16.halfWidth

  /// The widths this kernel computes: a whole panel and 2 to 8 columns of the next.
  public static let widths = (GemmMicrokernel6x16.nr + 2)...nr

  /// A tile of `tile.columns` in `widths`; rows past `tile.rows` repeat the last valid row.
  public static func runReadingRows(_ tile: GemmTile) {
    precondition(widths.contains(tile.columns), "a 6 × 24 tile has 18 to 24 columns")
    tile.prefetchOutput()
    let last = max(0, tile.rows - 1)
    let stride = tile.aRowStride
    let a0 = tile.a
    let a1 = tile.a + min(1, last) * stride
    let a2 = tile.a + min(2, last) * stride
    let a3 = tile.a + min(3, last) * stride
    let a4 = tile.a + min(4, last) * stride
    let a5 = tile.a + min(5, last) * stride
    var l0 = SIMD16<Float>()
    var l1 = SIMD16<Float>()
    var l2 = SIMD16<Float>()
    var l3 = SIMD16<Float>()
    var l4 = SIMD16<Float>()
    var l5 = SIMD16<Float>()
    var r0 = SIMD8<Float>()
    var r1 = SIMD8<Float>()
    var r2 = SIMD8<Float>()
    var r3 = SIMD8<Float>()
    var r4 = SIMD8<Float>()
    var r5 = SIMD8<Float>()
    var left = tile.b
    var right = tile.b + tile.bPanelStride
    var index = 0
    var remaining = tile.depth
    while remaining > 0 {
      let wholeB = VectorAccess.load(left)
      let halfB = VectorAccess.loadLower(right)
      step(&l0, &r0, a0[index], wholeB, halfB)
      step(&l1, &r1, a1[index], wholeB, halfB)
      step(&l2, &r2, a2[index], wholeB, halfB)
      step(&l3, &r3, a3[index], wholeB, halfB)
      step(&l4, &r4, a4[index], wholeB, halfB)
      step(&l5, &r5, a5[index], wholeB, halfB)
      index &+= 1
      left += 16
      right += 16
      remaining -= 1
    }
    // Constants, not the variables, as in `GemmMicrokernel6x16.run`.
    store(left: (l0, l1, l2, l3, l4, l5), right: (r0, r1, r2, r3, r4, r5), tile)
  }

  /// The finished sums of a tile, the whole panel's (`left`) and the half panel's (`right`), epilogue
  /// applied, into C.
  @inline(__always)
  static func store(left leftSums: GemmMicrokernel6x16.Sums, right rightSums: WholeTileStore.HalfSums, _ tile: GemmTile) {
    if let whole = WholeTileStore(tile, columns: nr) {
      whole.store(leftSums, panel: 0)
      whole.storeLowerHalf(rightSums, panel: 1)
      return
    }
    GemmMicrokernel6x16.finish(leftSums, tile.leftPanel)
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 6) { buffer in
      let rows = buffer.baseAddress!
      rows[0] = SIMD16(lowHalf: rightSums.0, highHalf: SIMD8())
      rows[1] = SIMD16(lowHalf: rightSums.1, highHalf: SIMD8())
      rows[2] = SIMD16(lowHalf: rightSums.2, highHalf: SIMD8())
      rows[3] = SIMD16(lowHalf: rightSums.3, highHalf: SIMD8())
      rows[4] = SIMD16(lowHalf: rightSums.4, highHalf: SIMD8())
      rows[5] = SIMD16(lowHalf: rightSums.5, highHalf: SIMD8())
      GemmMicrokernel6x16.finish(rows, tile.rightPanel)
    }
  }

  /// One reduction step of one row: its broadcast into the whole panel's chain and the half panel's.
  @inline(__always)
  static func step(
    _ whole: inout SIMD16<Float>, _ half: inout SIMD8<Float>, _ a: Float, _ left: SIMD16<Float>,
    _ right: SIMD8<Float>
  ) {
    VectorArithmetic.multiplyAdd(&whole, a, left)
    VectorArithmetic.multiplyAdd(&half, a, right)
  }

  /// A tile of fewer than 32 columns and up to twelve rows, A read in place (`MicrokernelRegistry
  /// .gemmRowsANarrow`), by width: 18 to 24 columns on this kernel, six rows at a time; 16 or fewer on
  /// `GemmMicrokernel12x16`; 17 and 25 to 32 on it panel by panel, so that every column's bits match
  /// those kernels' on any split.
  public static func narrowRowsReadingRows(_ tile: GemmTile) {
    if tile.columns <= GemmMicrokernel6x16.nr {
      GemmMicrokernel12x16.runReadingRows(tile)
    } else if widths.contains(tile.columns) {
      runReadingRows(tile.upperRows)
      if tile.rows > mr { runReadingRows(tile.lowerRows) }
    } else {
      GemmMicrokernel12x16.runReadingRows(tile.leftPanel)
      GemmMicrokernel12x16.runReadingRows(tile.rightPanel)
    }
  }

  /// `narrowRowsReadingRows` down a tile of any number of rows in one call, twelve rows at a time
  /// (`MicrokernelRegistry.gemmRowsANarrowStrip`): a short reduction's twelve-row tile (MobileNetV2's 32→16
  /// projection: 32 steps, about 400 cycles of multiply-adds) paid about 100 cycles more for the driver to
  /// build its `GemmTile` and call it through the registry. Each tile is the one `narrowRowsReadingRows`
  /// computes, so the bits are the same.
  public static func narrowRowsReadingRowsStrip(_ tile: GemmTile) {
    tile.forEachRowPanel(GemmMicrokernel12x16.mr) { narrowRowsReadingRows($0) }
  }
}
