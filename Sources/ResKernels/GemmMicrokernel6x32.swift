import ResCPU

/// The f32 GEMM microkernel with a 6 × 32 register tile: six rows of A against two adjacent 16-column panels
/// of B, for builds whose vectors are 512 bits wide.
///
/// On AVX-512 `GemmMicrokernel6x16` holds six accumulators of one register each. Two FMA pipes with a latency
/// of four cycles need eight independent sums in flight, so six cap it at three quarters of the peak, and it
/// issues one load or broadcast per multiply-add. Two panels per tile give twelve chains and two vector loads
/// plus six broadcasts per twelve multiply-adds: on this project's Zen 5 machine an L1-resident C version of
/// the two loops ran at 206 and 270 GFLOP/s (one core's FMA peak: 264). On AVX2 the twelve `SIMD16`
/// accumulators would be 24 of its 16 registers, so only AVX-512 builds use this kernel (`preferred`).
///
/// B stays in the plan's 16-wide panels (`PanelPacking`): the second panel is read at
/// `tile.b + tile.bPanelStride`, so nothing is repacked. Every output element is the same chain of
/// multiply-adds in the same order as on `GemmMicrokernel6x16`'s full-width path, and tiles whose second
/// panel has at most `GemmMicrokernel6x16.halfWidth` columns (which that kernel sums on its narrower path) go
/// to it as two tiles, so a GEMM gives bit-identical results whichever kernel or column split runs it.
public enum GemmMicrokernel6x32 {
  public static let mr = 6
  public static let nr = 32
  /// The width of each of the two B panels a tile reads.
  public static let panelWidth = GemmMicrokernel6x16.nr

  /// Whether this build's vectors make the wide tile faster than `GemmMicrokernel6x16`.
  public static var preferred: Bool { BuildISA.hasAVX512F }

  /// A packed A panel (`MR` values per reduction step).
  public static func run(_ tile: GemmTile) {
    guard tile.columns > panelWidth + GemmMicrokernel6x16.halfWidth else {
      splitIntoPanels(tile, GemmMicrokernel6x16.run)
      return
    }
    let a = tile.a
    compute(tile, rows: (a, a + 1, a + 2, a + 3, a + 4, a + 5), step: GemmMicrokernel6x16.mr)
  }

  /// A read in place (`GemmALayout.rows`); rows past `tile.rows` repeat the last valid row, as in
  /// `GemmMicrokernel6x16.runReadingRows`.
  public static func runReadingRows(_ tile: GemmTile) {
    guard tile.columns > panelWidth + GemmMicrokernel6x16.halfWidth else {
      splitIntoPanels(tile, GemmMicrokernel6x16.runReadingRows)
      return
    }
    compute(tile, rows: rowPointers(tile), step: 1)
  }

  /// `runReadingRows` on a tile of any number of rows and columns in one call (A read in place): each six-row
  /// panel across all the 32-column tiles, then the next panel. A short reduction's tile (MobileNet's 1x1
  /// expansions, 16–64 steps) is done in about as many cycles as its call, its `GemmTile` built by the
  /// driver and its prologue took (a fifth of a 16→96 layer's GEMM time). Rows outermost, C is written six
  /// whole rows at a time, in sequence: a strip per 32 columns down all the rows wrote 128 bytes per row a
  /// row apart, which Zen 4 absorbed slower (MobileNetV2's 16→96 layer at 112x112, one thread, best of six:
  /// 0.54 → 0.47 ms). Each tile is the one `runReadingRows` computes, so the bits are the same. Every tile
  /// hints the next row panel's rows of A into the first-level cache, a line per step: MobileNetV2's
  /// expansions in the network, one thread, medians of eight alternating rounds: 16→96 at 112x112 0.853 →
  /// 0.799 ms, 24→144 at 56x56 0.318 → 0.311 and 0.312 → 0.305, the whole run's steps 8.98 → 8.84 ms.
  public static func runReadingRowsStrip(_ tile: GemmTile) {
    tile.forEachRowPanel(GemmMicrokernel6x16.mr) { panel in
      panel.forEachColumnTile(nr, panels: nr / panelWidth) { part in
        guard part.columns > panelWidth + GemmMicrokernel6x16.halfWidth else {
          splitIntoPanels(part, GemmMicrokernel6x16.runReadingRows)
          return
        }
        compute(part, rows: rowPointers(part), step: 1, prefetching: part.a + mr &* part.aRowStride)
      }
    }
  }

  /// `runReadingRows` that also hints the cache to fetch a later tile's two B panels (channels-last
  /// Winograd, whose weights stream from memory): one line of `upcoming` per reduction step, which covers
  /// two 16-wide panels every two tiles (see `GemmMicrokernel6x16.runReadingRows(_:prefetching:)`). A tile
  /// of at most four rows runs four rows' multiply-adds (`runFourRows`) rather than six.
  public static func runReadingRows(
    _ tile: GemmTile, prefetching upcoming: UnsafePointer<Float>?, into target: PrefetchTarget = .firstLevel
  ) {
    guard tile.columns > panelWidth + GemmMicrokernel6x16.halfWidth, let upcoming else {
      runReadingRows(tile)
      return
    }
    if tile.rows <= 4 {
      runFourRows(tile, prefetching: upcoming, into: target)
      return
    }
    compute(tile, rows: rowPointers(tile), step: 1, prefetching: upcoming, into: target)
  }

  @_transparent
  static func rowPointers(_ tile: GemmTile) -> GemmMicrokernel6x16.RowPointers {
    let last = max(0, tile.rows - 1)
    let stride = tile.aRowStride
    return (
      tile.a, tile.a + min(1, last) * stride, tile.a + min(2, last) * stride, tile.a + min(3, last) * stride,
      tile.a + min(4, last) * stride, tile.a + min(5, last) * stride
    )
  }

  /// The tile as two 16-column tiles of the narrower kernel.
  @inline(__always)
  private static func splitIntoPanels(_ tile: GemmTile, _ narrow: (GemmTile) -> Void) {
    narrow(tile.leftPanel)
    if tile.columns > panelWidth { narrow(tile.rightPanel) }
  }

  /// Row `i` of A at `rows.i[s·step]` for reduction step `s`.
  @inline(__always)
  private static func compute(
    _ tile: GemmTile, rows a: GemmMicrokernel6x16.RowPointers, step: Int, prefetching hint: UnsafePointer<Float>? = nil,
    into target: PrefetchTarget = .firstLevel
  ) {
    tile.prefetchOutput()
    var l0 = SIMD16<Float>()
    var l1 = SIMD16<Float>()
    var l2 = SIMD16<Float>()
    var l3 = SIMD16<Float>()
    var l4 = SIMD16<Float>()
    var l5 = SIMD16<Float>()
    var r0 = SIMD16<Float>()
    var r1 = SIMD16<Float>()
    var r2 = SIMD16<Float>()
    var r3 = SIMD16<Float>()
    var r4 = SIMD16<Float>()
    var r5 = SIMD16<Float>()
    var left = tile.b
    var right = tile.b + tile.bPanelStride
    var index = 0
    var remaining = tile.depth
    while remaining > 0 {
      if let hint { target.fetch(hint + index &* 16) }
      let bl = VectorAccess.load(left)
      let br = VectorAccess.load(right)
      let x0 = a.0[index]
      VectorArithmetic.multiplyAdd(&l0, x0, bl)
      VectorArithmetic.multiplyAdd(&r0, x0, br)
      let x1 = a.1[index]
      VectorArithmetic.multiplyAdd(&l1, x1, bl)
      VectorArithmetic.multiplyAdd(&r1, x1, br)
      let x2 = a.2[index]
      VectorArithmetic.multiplyAdd(&l2, x2, bl)
      VectorArithmetic.multiplyAdd(&r2, x2, br)
      let x3 = a.3[index]
      VectorArithmetic.multiplyAdd(&l3, x3, bl)
      VectorArithmetic.multiplyAdd(&r3, x3, br)
      let x4 = a.4[index]
      VectorArithmetic.multiplyAdd(&l4, x4, bl)
      VectorArithmetic.multiplyAdd(&r4, x4, br)
      let x5 = a.5[index]
      VectorArithmetic.multiplyAdd(&l5, x5, bl)
      VectorArithmetic.multiplyAdd(&r5, x5, br)
      left += 16
      right += 16
      index &+= step
      remaining -= 1
    }
    // Constants, not the variables, as in `GemmMicrokernel6x16.run`.
    let leftSums = (l0, l1, l2, l3, l4, l5)
    let rightSums = (r0, r1, r2, r3, r4, r5)
    if let whole = WholeTileStore(tile, panels: 2, accumulates: true) {
      whole.store(leftSums, panel: 0)
      whole.store(rightSums, panel: 1)
      return
    }
    GemmMicrokernel6x16.finish(leftSums, tile.leftPanel)
    GemmMicrokernel6x16.finish(rightSums, tile.rightPanel)
  }

}

extension GemmTile {
  /// Calls `body` with each `panelRows`-row panel of this tile of A's rows read in place, top to bottom
  /// (the last one shorter): A, C and the epilogue's bias and residual moved down to it.
  @inline(__always)
  func forEachRowPanel(_ panelRows: Int, _ body: (GemmTile) -> Void) {
    var panel = self
    var remaining = rows
    while remaining > 0 {
      panel.rows = Swift.min(panelRows, remaining)
      body(panel)
      remaining -= panelRows
      panel.a += panelRows &* aRowStride
      panel.c += panelRows &* cRowStride
      panel.epilogue = panel.epilogue?.movedDown(rows: panelRows)
    }
  }

  /// `body` on each `width`-column tile of this tile from the left (the last one narrower if the columns run
  /// out), each `panels` B panels on from the one before.
  @inline(__always)
  func forEachColumnTile(_ width: Int, panels: Int, _ body: (GemmTile) -> Void) {
    var part = self
    var remaining = columns
    while remaining > 0 {
      part.columns = Swift.min(width, remaining)
      body(part)
      remaining -= width
      part.b += panels &* bPanelStride
      part.c += width
      part.epilogue = part.epilogue?.movedRight(columns: width)
    }
  }

  /// The first 16-column panel of a two-panel tile.
  var leftPanel: GemmTile {
    var half = self
    half.columns = Swift.min(columns, GemmMicrokernel6x32.panelWidth)
    return half
  }

  /// The second 16-column panel of a two-panel tile: B at `bPanelStride`, C, bias and residual 16 columns on.
  var rightPanel: GemmTile {
    let width = GemmMicrokernel6x32.panelWidth
    var half = self
    half.b = b + bPanelStride
    half.c = c + width
    half.columns = columns - width
    if var epilogue {
      epilogue.bias = epilogue.bias.map { $0 + width * epilogue.biasColumnStride }
      epilogue.residual = epilogue.residual.map { $0 + width }
      half.epilogue = epilogue
    }
    return half
  }
}
