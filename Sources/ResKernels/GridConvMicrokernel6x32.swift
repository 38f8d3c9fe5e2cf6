/// The grid-convolution kernel with a 6 × 32 register tile: six output channels against 32 output positions
/// (two vectors of one output row), for builds whose vectors are 512 bits wide.
///
/// The same reasoning as `GemmMicrokernel6x32`: `GridConvMicrokernel6x16`'s six accumulators leave two FMA
/// pipes of four-cycle latency a quarter idle on AVX-512 and load an input vector per six multiply-adds.
/// Both vectors of a reduction step come from the same row of the input's phase plane, 16 floats apart.
/// Every output is the same chain of multiply-adds as on the narrow kernel, and a tile of at most 16
/// positions goes to it, so results do not depend on the kernel.
public enum GridConvMicrokernel6x32 {
  public static let mr = 6
  public static let nr = 32
  static let half = GridConvMicrokernel6x16.nr

  public static func run(_ tile: GridConvTile) {
    guard tile.columns > half else {
      GridConvMicrokernel6x16.run(tile)
      return
    }
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
    var a = tile.a
    let input = tile.input
    let offsets = tile.offsets
    for k in 0..<tile.depth {
      let source = input + offsets[k]
      let bl = VectorAccess.load(source)
      let br = VectorAccess.load(source + half)
      let x0 = a[0]
      VectorArithmetic.multiplyAdd(&l0, x0, bl)
      VectorArithmetic.multiplyAdd(&r0, x0, br)
      let x1 = a[1]
      VectorArithmetic.multiplyAdd(&l1, x1, bl)
      VectorArithmetic.multiplyAdd(&r1, x1, br)
      let x2 = a[2]
      VectorArithmetic.multiplyAdd(&l2, x2, bl)
      VectorArithmetic.multiplyAdd(&r2, x2, br)
      let x3 = a[3]
      VectorArithmetic.multiplyAdd(&l3, x3, bl)
      VectorArithmetic.multiplyAdd(&r3, x3, br)
      let x4 = a[4]
      VectorArithmetic.multiplyAdd(&l4, x4, bl)
      VectorArithmetic.multiplyAdd(&r4, x4, br)
      let x5 = a[5]
      VectorArithmetic.multiplyAdd(&l5, x5, bl)
      VectorArithmetic.multiplyAdd(&r5, x5, br)
      a += 6
    }
    // Constants, not the variables, as in the narrow kernel.
    let leftSums = (l0, l1, l2, l3, l4, l5)
    let rightSums = (r0, r1, r2, r3, r4, r5)
    let whole = GemmTile(
      depth: tile.depth, a: tile.a, b: tile.input, c: tile.c, cRowStride: tile.cRowStride, rows: tile.rows,
      columns: tile.columns, accumulate: false, epilogue: tile.epilogue)
    if let store = WholeTileStore(whole, panels: 2) {
      store.store(leftSums, panel: 0)
      store.store(rightSums, panel: 1)
      return
    }
    GemmMicrokernel6x16.finish(leftSums, whole.leftPanel)
    GemmMicrokernel6x16.finish(rightSums, whole.rightPanel)
  }

}
