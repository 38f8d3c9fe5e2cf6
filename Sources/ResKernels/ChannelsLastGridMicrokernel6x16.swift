/// The channels-last grid kernel with a 6 × 16 register tile: six output positions of a row against one
/// 16-channel weight panel (`ChannelsLastGridTile`). The portable shape: six accumulators, a weight vector and
/// a broadcast fit AVX2's sixteen registers even as 256-bit halves. AVX-512 builds run the wider tiles
/// (`ChannelsLastGridMicrokernel6x32`, `6x64`), whose sums are the same chains of multiply-adds.
public enum ChannelsLastGridMicrokernel6x16 {
  public static let mr = 6
  public static let nr = 16

  public static func run(_ tile: ChannelsLastGridTile) {
    let x0 = tile.rowInput(0)
    let x1 = tile.rowInput(1)
    let x2 = tile.rowInput(2)
    let x3 = tile.rowInput(3)
    let x4 = tile.rowInput(4)
    let x5 = tile.rowInput(5)
    var c0 = SIMD16<Float>()
    var c1 = SIMD16<Float>()
    var c2 = SIMD16<Float>()
    var c3 = SIMD16<Float>()
    var c4 = SIMD16<Float>()
    var c5 = SIMD16<Float>()
    var b = tile.b
    var offsets = tile.offsets
    for _ in 0..<tile.depth {
      let offset = offsets[0]
      let w = VectorAccess.load(b)
      VectorArithmetic.multiplyAdd(&c0, x0[offset], w)
      VectorArithmetic.multiplyAdd(&c1, x1[offset], w)
      VectorArithmetic.multiplyAdd(&c2, x2[offset], w)
      VectorArithmetic.multiplyAdd(&c3, x3[offset], w)
      VectorArithmetic.multiplyAdd(&c4, x4[offset], w)
      VectorArithmetic.multiplyAdd(&c5, x5[offset], w)
      b += 16
      offsets += 1
    }
    if let panel = tile.panel(0) { GemmMicrokernel6x16.finish((c0, c1, c2, c3, c4, c5), panel) }
  }
}
