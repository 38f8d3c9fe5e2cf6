import ResCPU

/// The f32 GEMM microkernel with a 6 × 64 register tile, A read in place: six rows of A against four adjacent
/// 16-column panels of B, for builds whose vectors are 512 bits wide.
///
/// `GemmMicrokernel6x32` issues two loads of B and six broadcasts of A per twelve multiply-adds. Reading A's
/// rows in place rules out the twelve-row tile (twelve row pointers spill), but four panels keep the six
/// pointers and share each broadcast among four multiply-adds: ten loads per 24 multiply-adds, 24 sums in
/// flight (29 of AVX-512's 32 registers with B's four vectors and a broadcast).
///
/// Every output element is the same chain of multiply-adds in the same order as on `GemmMicrokernel6x16`'s
/// full-width path. A tile whose last panel has at most `GemmMicrokernel6x16.halfWidth` columns (which that
/// kernel sums on its narrower path), or that spans fewer than four panels, goes to `GemmMicrokernel6x32` two
/// panels at a time, so results do not depend on the kernel or on how a split cuts the columns.
///
/// Each reduction step also hints one 64-byte line of `tile.prefetch` into the second-level cache (the next
/// block of prepacked weights, `GemmDriver`); without a hint it touches its own B instead, which keeps the
/// loop free of a branch.
public enum GemmMicrokernel6x64 {
  public static let mr = 6
  public static let nr = 64
  /// The width of each of the four B panels a tile reads.
  public static let panelWidth = GemmMicrokernel6x16.nr

  /// Rows past `tile.rows` repeat the last valid row, as in `GemmMicrokernel6x16.runReadingRows`.
  public static func runReadingRows(_ tile: GemmTile) {
    guard tile.columns > 3 * panelWidth + GemmMicrokernel6x16.halfWidth else {
      GemmMicrokernel6x32.runReadingRows(tile.firstPanelPair)
      if tile.columns > 2 * panelWidth { GemmMicrokernel6x32.runReadingRows(tile.secondPanelPair) }
      return
    }
    tile.prefetchOutput()
    let last = max(0, tile.rows - 1)
    let stride = tile.aRowStride
    let a0 = tile.a
    let a1 = tile.a + min(1, last) * stride
    let a2 = tile.a + min(2, last) * stride
    let a3 = tile.a + min(3, last) * stride
    let a4 = tile.a + min(4, last) * stride
    let a5 = tile.a + min(5, last) * stride
    var c00 = SIMD16<Float>()
    var c01 = SIMD16<Float>()
    var c02 = SIMD16<Float>()
    var c03 = SIMD16<Float>()
    var c10 = SIMD16<Float>()
    var c11 = SIMD16<Float>()
    var c12 = SIMD16<Float>()
    var c13 = SIMD16<Float>()
    var c20 = SIMD16<Float>()
    var c21 = SIMD16<Float>()
    var c22 = SIMD16<Float>()
    var c23 = SIMD16<Float>()
    var c30 = SIMD16<Float>()
    var c31 = SIMD16<Float>()
    var c32 = SIMD16<Float>()
    var c33 = SIMD16<Float>()
    var c40 = SIMD16<Float>()
    var c41 = SIMD16<Float>()
    var c42 = SIMD16<Float>()
    var c43 = SIMD16<Float>()
    var c50 = SIMD16<Float>()
    var c51 = SIMD16<Float>()
    var c52 = SIMD16<Float>()
    var c53 = SIMD16<Float>()
    var b = tile.b
    let panelStride = tile.bPanelStride
    var hint = tile.prefetch ?? tile.b
    var index = 0
    var remaining = tile.depth
    while remaining > 0 {
      rescpu_prefetch_to_l2(hint)
      hint += panelWidth
      let b0 = VectorAccess.load(b)
      let b1 = VectorAccess.load(b + panelStride)
      let b2 = VectorAccess.load(b + 2 &* panelStride)
      let b3 = VectorAccess.load(b + 3 &* panelStride)
      let x0 = a0[index]
      VectorArithmetic.multiplyAdd(&c00, x0, b0)
      VectorArithmetic.multiplyAdd(&c01, x0, b1)
      VectorArithmetic.multiplyAdd(&c02, x0, b2)
      VectorArithmetic.multiplyAdd(&c03, x0, b3)
      let x1 = a1[index]
      VectorArithmetic.multiplyAdd(&c10, x1, b0)
      VectorArithmetic.multiplyAdd(&c11, x1, b1)
      VectorArithmetic.multiplyAdd(&c12, x1, b2)
      VectorArithmetic.multiplyAdd(&c13, x1, b3)
      let x2 = a2[index]
      VectorArithmetic.multiplyAdd(&c20, x2, b0)
      VectorArithmetic.multiplyAdd(&c21, x2, b1)
      VectorArithmetic.multiplyAdd(&c22, x2, b2)
      VectorArithmetic.multiplyAdd(&c23, x2, b3)
      let x3 = a3[index]
      VectorArithmetic.multiplyAdd(&c30, x3, b0)
      VectorArithmetic.multiplyAdd(&c31, x3, b1)
      VectorArithmetic.multiplyAdd(&c32, x3, b2)
      VectorArithmetic.multiplyAdd(&c33, x3, b3)
      let x4 = a4[index]
      VectorArithmetic.multiplyAdd(&c40, x4, b0)
      VectorArithmetic.multiplyAdd(&c41, x4, b1)
      VectorArithmetic.multiplyAdd(&c42, x4, b2)
      VectorArithmetic.multiplyAdd(&c43, x4, b3)
      let x5 = a5[index]
      VectorArithmetic.multiplyAdd(&c50, x5, b0)
      VectorArithmetic.multiplyAdd(&c51, x5, b1)
      VectorArithmetic.multiplyAdd(&c52, x5, b2)
      VectorArithmetic.multiplyAdd(&c53, x5, b3)
      b += 16
      index &+= 1
      remaining -= 1
    }
    // Constants, not the variables, as in `GemmMicrokernel6x16.run`.
    let first = (c00, c10, c20, c30, c40, c50)
    let second = (c01, c11, c21, c31, c41, c51)
    let third = (c02, c12, c22, c32, c42, c52)
    let fourth = (c03, c13, c23, c33, c43, c53)
    if let whole = WholeTileStore(tile, panels: 4, accumulates: true) {
      whole.store(first, panel: 0)
      whole.store(second, panel: 1)
      whole.store(third, panel: 2)
      whole.store(fourth, panel: 3)
      return
    }
    let (left, right) = (tile.firstPanelPair, tile.secondPanelPair)
    GemmMicrokernel6x16.finish(first, left.leftPanel)
    GemmMicrokernel6x16.finish(second, left.rightPanel)
    GemmMicrokernel6x16.finish(third, right.leftPanel)
    GemmMicrokernel6x16.finish(fourth, right.rightPanel)
  }
}

extension GemmTile {
  /// Panels one and two of a four-panel tile.
  var firstPanelPair: GemmTile {
    var part = self
    part.columns = Swift.min(columns, 2 * GemmMicrokernel6x64.panelWidth)
    return part
  }

  /// Panels three and four of a four-panel tile: B two panel strides on, C, bias and residual 32 columns on.
  var secondPanelPair: GemmTile {
    let width = 2 * GemmMicrokernel6x64.panelWidth
    var part = self
    part.b = b + 2 * bPanelStride
    part.c = c + width
    part.columns = columns - width
    if var epilogue {
      epilogue.bias = epilogue.bias.map { $0 + width * epilogue.biasColumnStride }
      epilogue.residual = epilogue.residual.map { $0 + width }
      part.epilogue = epilogue
    }
    return part
  }
}
