import ResCPU

/// The f32 GEMM microkernel with a 12 × 32 register tile, A packed: two 6-row panels of A against two 16-column
/// panels of B, for builds whose vectors are 512 bits wide.
///
/// `GemmMicrokernel6x32` issues eight loads (two of B, six broadcasts of A) per twelve multiply-adds; twelve
/// rows issue fourteen per twenty-four, and keep 24 sums in flight (27 of AVX-512's 32 registers), the shape
/// perf-notes.md measured at 94–99 % of the peak. Both operands stay in their plan and run-time layouts:
/// A's second panel is read at `tile.aPanelStride`, B's at `tile.bPanelStride`.
///
/// Each reduction step also hints one 64-byte line of `tile.prefetch` into the second-level cache (the next
/// column tile's prepacked weights, `GemmDriver`), as `GemmMicrokernel6x64` does; without a hint it touches its
/// own B.
///
/// Every output is the same chain of multiply-adds in the same order as on `GemmMicrokernel6x32` and
/// `GemmMicrokernel6x16`'s full-width path; tiles of at most six rows or at most 24 columns go to
/// `GemmMicrokernel6x32` as six-row tiles, so results do not depend on the kernel or the split.
public enum GemmMicrokernel12x32 {
  public static let mr = 12
  public static let nr = 32
  /// Rows of each packed A panel.
  public static let panelRows = GemmMicrokernel6x16.mr

  public static func run(_ tile: GemmTile) {
    guard tile.rows > panelRows, tile.columns > GemmMicrokernel6x32.panelWidth + GemmMicrokernel6x16.halfWidth
    else {
      GemmMicrokernel6x32.run(tile.upperPanel)
      if tile.rows > panelRows { GemmMicrokernel6x32.run(tile.lowerPanel) }
      return
    }
    tile.prefetchOutput()
    var u0 = SIMD16<Float>()
    var u1 = SIMD16<Float>()
    var u2 = SIMD16<Float>()
    var u3 = SIMD16<Float>()
    var u4 = SIMD16<Float>()
    var u5 = SIMD16<Float>()
    var v0 = SIMD16<Float>()
    var v1 = SIMD16<Float>()
    var v2 = SIMD16<Float>()
    var v3 = SIMD16<Float>()
    var v4 = SIMD16<Float>()
    var v5 = SIMD16<Float>()
    var w0 = SIMD16<Float>()
    var w1 = SIMD16<Float>()
    var w2 = SIMD16<Float>()
    var w3 = SIMD16<Float>()
    var w4 = SIMD16<Float>()
    var w5 = SIMD16<Float>()
    var z0 = SIMD16<Float>()
    var z1 = SIMD16<Float>()
    var z2 = SIMD16<Float>()
    var z3 = SIMD16<Float>()
    var z4 = SIMD16<Float>()
    var z5 = SIMD16<Float>()
    var upper = tile.a
    var lower = tile.a + tile.aPanelStride
    var left = tile.b
    var right = tile.b + tile.bPanelStride
    var hint = tile.prefetch ?? tile.b
    var remaining = tile.depth
    while remaining > 0 {
      rescpu_prefetch_to_l2(hint)
      hint += GemmMicrokernel6x32.panelWidth
      let bl = VectorAccess.load(left)
      let br = VectorAccess.load(right)
      var x = upper[0]
      VectorArithmetic.multiplyAdd(&u0, x, bl)
      VectorArithmetic.multiplyAdd(&v0, x, br)
      x = upper[1]
      VectorArithmetic.multiplyAdd(&u1, x, bl)
      VectorArithmetic.multiplyAdd(&v1, x, br)
      x = upper[2]
      VectorArithmetic.multiplyAdd(&u2, x, bl)
      VectorArithmetic.multiplyAdd(&v2, x, br)
      x = upper[3]
      VectorArithmetic.multiplyAdd(&u3, x, bl)
      VectorArithmetic.multiplyAdd(&v3, x, br)
      x = upper[4]
      VectorArithmetic.multiplyAdd(&u4, x, bl)
      VectorArithmetic.multiplyAdd(&v4, x, br)
      x = upper[5]
      VectorArithmetic.multiplyAdd(&u5, x, bl)
      VectorArithmetic.multiplyAdd(&v5, x, br)
      x = lower[0]
      VectorArithmetic.multiplyAdd(&w0, x, bl)
      VectorArithmetic.multiplyAdd(&z0, x, br)
      x = lower[1]
      VectorArithmetic.multiplyAdd(&w1, x, bl)
      VectorArithmetic.multiplyAdd(&z1, x, br)
      x = lower[2]
      VectorArithmetic.multiplyAdd(&w2, x, bl)
      VectorArithmetic.multiplyAdd(&z2, x, br)
      x = lower[3]
      VectorArithmetic.multiplyAdd(&w3, x, bl)
      VectorArithmetic.multiplyAdd(&z3, x, br)
      x = lower[4]
      VectorArithmetic.multiplyAdd(&w4, x, bl)
      VectorArithmetic.multiplyAdd(&z4, x, br)
      x = lower[5]
      VectorArithmetic.multiplyAdd(&w5, x, bl)
      VectorArithmetic.multiplyAdd(&z5, x, br)
      upper += 6
      lower += 6
      left += 16
      right += 16
      remaining -= 1
    }
    // Constants, not the variables, as in `GemmMicrokernel6x16.run`.
    let upperLeft = (u0, u1, u2, u3, u4, u5)
    let upperRight = (v0, v1, v2, v3, v4, v5)
    let lowerLeft = (w0, w1, w2, w3, w4, w5)
    let lowerRight = (z0, z1, z2, z3, z4, z5)
    let (top, bottom) = (tile.upperPanel, tile.lowerPanel)
    if let upper = WholeTileStore(top, panels: 2, accumulates: true),
      let lower = WholeTileStore(bottom, panels: 2, accumulates: true)
    {
      upper.store(upperLeft, panel: 0)
      upper.store(upperRight, panel: 1)
      lower.store(lowerLeft, panel: 0)
      lower.store(lowerRight, panel: 1)
      return
    }
    GemmMicrokernel6x16.finish(upperLeft, top.leftPanel)
    GemmMicrokernel6x16.finish(upperRight, top.rightPanel)
    GemmMicrokernel6x16.finish(lowerLeft, bottom.leftPanel)
    GemmMicrokernel6x16.finish(lowerRight, bottom.rightPanel)
  }

}

extension GemmTile {
  /// The first packed 6-row panel of a two-panel tile.
  var upperPanel: GemmTile {
    var part = self
    part.rows = Swift.min(rows, GemmMicrokernel12x32.panelRows)
    return part
  }

  /// The second packed 6-row panel: A at `aPanelStride`, C, bias and residual six rows on.
  var lowerPanel: GemmTile {
    let offset = GemmMicrokernel12x32.panelRows
    var part = self
    part.a = a + aPanelStride
    part.c = c + offset * cRowStride
    part.rows = rows - offset
    part.epilogue = epilogue?.movedDown(rows: offset)
    return part
  }
}
