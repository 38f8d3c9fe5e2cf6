extension GemmMicrokernel6x16 {
  /// `run` with A read in place from its rows (`GemmALayout.rows`): six row pointers advanced by one index,
  /// so each reduction step still costs one load of B, six broadcasts and six multiply-adds, and nothing has
  /// to pack A first. This is how onnxruntime's MLAS multiplies activations by weights; packing A cost the
  /// GEMM of a transformer 6 % of its time on one thread, and on two threads every piece of a split packed
  /// the whole A again.
  ///
  /// The pointers of rows past `tile.rows` repeat the last valid row: the kernel never reads outside A, and
  /// the sums of those rows are computed but never stored.
  public static func runReadingRows(_ tile: GemmTile) {
    tile.prefetchOutput()
    let last = max(0, tile.rows - 1)
    let stride = tile.aRowStride
    let a0 = tile.a
    let a1 = tile.a + min(1, last) * stride
    let a2 = tile.a + min(2, last) * stride
    let a3 = tile.a + min(3, last) * stride
    let a4 = tile.a + min(4, last) * stride
    let a5 = tile.a + min(5, last) * stride
    if tile.columns <= halfWidth {
      if tile.columns == 1 {
        runSingleColumn(tile, rows: (a0, a1, a2, a3, a4, a5), step: 1, packed: false)
      } else {
        runLowerHalf(tile, rows: (a0, a1, a2, a3, a4, a5), step: 1)
      }
      return
    }
    var c0 = SIMD16<Float>()
    var c1 = SIMD16<Float>()
    var c2 = SIMD16<Float>()
    var c3 = SIMD16<Float>()
    var c4 = SIMD16<Float>()
    var c5 = SIMD16<Float>()
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
}

extension GemmMicrokernel6x16 {
  /// `runReadingRows` on a tile of any number of rows and columns in one call: each six-row panel across all
  /// its 16-column tiles, then the next panel, as `GemmMicrokernel6x32.runReadingRowsStrip` does on 512-bit
  /// vectors (`MicrokernelRegistry.gemmRowsAStrip`, the strip of 256-bit builds). A short reduction's tile
  /// (MobileNetV2's 16→96 expansion: 16 steps, about 100 cycles of multiply-adds) costs about as much again
  /// for the driver to build its `GemmTile` and call it through the registry (that layer in the network, Zen 3,
  /// one thread: 0.80 → 0.73 ms). A row panel's whole 16-column tiles under a clip epilogue run in this call
  /// too (`runWholeTiles`); the others, and a last panel of fewer than six rows, through `runReadingRows`.
  /// A last panel of 2 to 8 columns joins the panel before it in one `GemmMicrokernel6x24` tile, which
  /// broadcasts A once for both. Every column is one chain in reduction order on either kernel, so the bits
  /// are the same.
  public static func runReadingRowsStrip(_ tile: GemmTile) {
    let panels = wholePanels(columns: tile.columns)
    let store = panels > 0 ? wholeTileStore(at: tile) : nil
    var rowPanel = 0
    tile.forEachRowPanel(mr) { panel in
      if let store, panel.rows == mr {
        runWholeTiles(tile, store, rowPanels: rowPanel..<(rowPanel + 1), panels: panels)
        if panel.columns > panels &* nr { runAcross(panel.rightOf(panels: panels)) }
      } else {
        runAcross(panel)
      }
      rowPanel += 1
    }
  }

  /// The 16-column panels a strip of `columns` columns runs as whole tiles: all but a last one of fewer
  /// columns, or the last whole one when 2 to 8 columns follow it (`runAcross` takes those as one tile).
  static func wholePanels(columns: Int) -> Int {
    var panels = 0
    var remaining = columns
    while remaining >= nr && !GemmMicrokernel6x24.widths.contains(remaining) {
      panels += 1
      remaining -= nr
    }
    return panels
  }

  /// One row panel's tiles from the left, on `runReadingRows` (a last 18 to 24 columns on
  /// `GemmMicrokernel6x24`).
  private static func runAcross(_ panel: GemmTile) {
    var part = panel
    while part.columns > 0 {
      if GemmMicrokernel6x24.widths.contains(part.columns) {
        GemmMicrokernel6x24.runReadingRowsInThreeRowPasses(part)
        return
      }
      var left = part
      left.columns = Swift.min(nr, part.columns)
      runReadingRows(left)
      part = part.rightPanel
    }
  }
}
