/// The f32 grid-convolution microkernel: six output channels × sixteen output positions, the positions on
/// the vector lanes, read straight from the input at one offset per reduction step.
///
/// The caller lays the padded input out so that sixteen consecutive outputs of a row read sixteen
/// consecutive floats for every tap (at stride 2 the plane split into its row and column phases,
/// `DepthwiseGrid`'s layout): then a convolution with few input channels (MobileNet's 3×3/2 stem, 27
/// reduction steps) is the GEMM microkernel's loop with B read in place. The direct kernel put output
/// channels on the lanes instead and stored each tile as 96 scattered floats; im2col packed 27 strided rows
/// per tile. The store and epilogue are the GEMM kernel's (`storeWholeTile`, else `finish`).
public enum GridConvMicrokernel6x16 {
  public static let mr = 6
  public static let nr = 16

  public static func run(_ tile: GridConvTile) {
    var c0 = SIMD16<Float>()
    var c1 = SIMD16<Float>()
    var c2 = SIMD16<Float>()
    var c3 = SIMD16<Float>()
    var c4 = SIMD16<Float>()
    var c5 = SIMD16<Float>()
    var a = tile.a
    let input = tile.input
    let offsets = tile.offsets
    for k in 0..<tile.depth {
      let bv = VectorAccess.load(input + offsets[k])
      VectorArithmetic.multiplyAdd(&c0, a[0], bv)
      VectorArithmetic.multiplyAdd(&c1, a[1], bv)
      VectorArithmetic.multiplyAdd(&c2, a[2], bv)
      VectorArithmetic.multiplyAdd(&c3, a[3], bv)
      VectorArithmetic.multiplyAdd(&c4, a[4], bv)
      VectorArithmetic.multiplyAdd(&c5, a[5], bv)
      a += 6
    }
    // Constants, not the variables: a closure capturing the accumulators would keep them in memory and
    // store them on every step of the loop above.
    let finished = (c0, c1, c2, c3, c4, c5)
    let gemmTile = GemmTile(
      depth: tile.depth, a: tile.a, b: tile.input, c: tile.c, cRowStride: tile.cRowStride, rows: tile.rows,
      columns: tile.columns, accumulate: false, epilogue: tile.epilogue)
    if GemmMicrokernel6x16.storeWholeTile(finished, gemmTile) { return }
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 6) { buffer in
      let rows = buffer.baseAddress!
      rows[0] = finished.0
      rows[1] = finished.1
      rows[2] = finished.2
      rows[3] = finished.3
      rows[4] = finished.4
      rows[5] = finished.5
      GemmMicrokernel6x16.finish(rows, gemmTile)
    }
  }
}
