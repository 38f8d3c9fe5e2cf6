extension GemmMicrokernel6x16 {
  /// The whole tiles of a block of six-row panels × 16-column panels of C, A read in place, stored by a
  /// clip epilogue from the registers: `runReadingRows`'s arithmetic with the loops around the tile in the
  /// same function, rows outer, panels inner (the order `runReadingRowsStrip` and `GemmDriver` take).
  ///
  /// A strip of tiles through `runReadingRows` built a `GemmTile` per tile (the panel's, then the rest's),
  /// passed it through memory into an out-of-line kernel, which rebuilt the epilogue's store from it and
  /// handed the sums to it through the stack again. On a 64-step reduction (384 cycles of multiply-adds a
  /// tile) that traffic stalled on store forwarding (a sampling profile put a sixth of the strip's time on
  /// it). Here `store` is built once per call, every tile reaches its rows of A, its panel of B and its part
  /// of C by offsets, and nothing goes through memory. Zen 3, one thread: ResNet-50's 64→256 1x1 at 56x56
  /// as one strip call, 1.34–1.37 → 1.09 ms (94 GFLOP/s); in the network, medians of four alternating
  /// rounds, its four 64-step layers 1.255–1.272 → 1.090–1.110 ms (onnxruntime: 1.12–1.13), and
  /// MobileNetV2's steps summed 8.81 → 8.16 ms (six rounds).
  ///
  /// C's lines are not hinted before the reduction (`GemmTile.prefetchOutput`): on Zen 3 the hints made
  /// these 1x1 layers 1–4 % slower. Each column is one chain in reduction order, then bias, residual and
  /// clip in `WholeTileStore`'s order, so the bits are `runReadingRows`'s.
  ///
  /// - Parameters:
  ///   - origin: the block's first tile (rows, columns, C and epilogue at its corner); only its
  ///     pointers, strides and depth are read.
  ///   - store: the clip store of the tile at `origin` (`wholeTileStore(at:)`).
  ///   - rowPanels: six-row panels counted from `origin`'s, all of six rows.
  ///   - panels: 16-column panels right of `origin`, all of 16 columns of prepacked B.
  @inline(__always)
  static func runWholeTiles(_ origin: GemmTile, _ store: WholeTileStore, rowPanels: Range<Int>, panels: Int) {
    let aPanelStride = mr &* origin.aRowStride
    var rowPanel = rowPanels.lowerBound
    while rowPanel < rowPanels.upperBound {
      let a = origin.a + rowPanel &* aPanelStride
      var panel = 0
      while panel < panels {
        let sums = wholeTileSums(
          a: a, aRowStride: origin.aRowStride, b: origin.b + panel &* origin.bPanelStride, depth: origin.depth)
        store.store(sums, firstRow: rowPanel &* mr, panel: panel)
        panel &+= 1
      }
      rowPanel &+= 1
    }
  }

  /// `runWholeTiles` for a caller outside this module: false, having done nothing, when `origin`'s epilogue
  /// needs another path (`wholeTileStore(at:)` is nil).
  @inline(never)
  public static func runWholeTiles(_ origin: GemmTile, rowPanels: Range<Int>, panels: Int) -> Bool {
    guard let store = wholeTileStore(at: origin) else { return false }
    runWholeTiles(origin, store, rowPanels: rowPanels, panels: panels)
    return true
  }

  /// The clip store of a whole tile at `tile`'s corner (six rows, 16 columns, C overwritten or added to, a
  /// bias, a residual and a clip at most), or nil when its epilogue needs another path.
  @inline(__always)
  static func wholeTileStore(at tile: GemmTile) -> WholeTileStore? {
    var corner = tile
    corner.rows = mr
    corner.columns = nr
    guard let store = WholeTileStore(corner, panels: 1, accumulates: true), store.activation == nil else { return nil }
    return store
  }

  /// Six rows of A from `a` times one 16-column panel of B over `depth` steps: one chain per column.
  @inline(__always)
  private static func wholeTileSums(a: UnsafePointer<Float>, aRowStride stride: Int, b: UnsafePointer<Float>, depth: Int)
    -> Sums
  {
    let (a0, a1, a2) = (a, a + stride, a + 2 &* stride)
    let (a3, a4, a5) = (a + 3 &* stride, a + 4 &* stride, a + 5 &* stride)
    var c0 = SIMD16<Float>()
    var c1 = SIMD16<Float>()
    var c2 = SIMD16<Float>()
    var c3 = SIMD16<Float>()
    var c4 = SIMD16<Float>()
    var c5 = SIMD16<Float>()
    var b = b
    var step = 0
    while step < depth {
      let bv = VectorAccess.load(b)
      VectorArithmetic.multiplyAdd(&c0, a0[step], bv)
      VectorArithmetic.multiplyAdd(&c1, a1[step], bv)
      VectorArithmetic.multiplyAdd(&c2, a2[step], bv)
      VectorArithmetic.multiplyAdd(&c3, a3[step], bv)
      VectorArithmetic.multiplyAdd(&c4, a4[step], bv)
      VectorArithmetic.multiplyAdd(&c5, a5[step], bv)
      b += 16
      step &+= 1
    }
    return (c0, c1, c2, c3, c4, c5)
  }
}

extension WholeTileStore {
  /// Six rows from `firstRow` of panel `panel`, clipped in registers (`activation` nil): `store(_:panel:)`'s
  /// arithmetic on rows further down.
  @_transparent
  func store(_ sums: GemmMicrokernel6x16.Sums, firstRow: Int, panel: Int) {
    let bias = VectorAccess.load(columnBias, offset: panel &* 16)
    store(sums.0, row: firstRow, panel: panel, bias)
    store(sums.1, row: firstRow &+ 1, panel: panel, bias)
    store(sums.2, row: firstRow &+ 2, panel: panel, bias)
    store(sums.3, row: firstRow &+ 3, panel: panel, bias)
    store(sums.4, row: firstRow &+ 4, panel: panel, bias)
    store(sums.5, row: firstRow &+ 5, panel: panel, bias)
  }
}

extension GemmTile {
  /// The part of this tile right of its first `panels` 16-column panels: B `panels` panels on, C, bias and
  /// residual `16 · panels` columns on.
  @inline(__always)
  func rightOf(panels: Int) -> GemmTile {
    let width = panels &* 16
    var part = self
    part.b = b + panels &* bPanelStride
    part.c = c + width
    part.columns = columns - width
    part.epilogue = epilogue?.movedRight(columns: width)
    return part
  }
}
