/// The channels-last grid kernel with a 6 × 32 register tile: six output positions of a row against two
/// adjacent 16-channel weight panels, for builds whose vectors are 512 bits wide (MobileNetV2's 32-channel
/// stem). Twelve chains keep both FMA pipes busy where `ChannelsLastGridMicrokernel6x16`'s six leave them a
/// quarter idle; each position's input is broadcast once for both panels. Every output is the same chain of
/// multiply-adds as on the narrow kernel.
public enum ChannelsLastGridMicrokernel6x32 {
  public static let mr = 6
  public static let nr = 32

  public static func run(_ tile: ChannelsLastGridTile) {
    let x0 = tile.rowInput(0)
    let x1 = tile.rowInput(1)
    let x2 = tile.rowInput(2)
    let x3 = tile.rowInput(3)
    let x4 = tile.rowInput(4)
    let x5 = tile.rowInput(5)
    var c00 = SIMD16<Float>()
    var c01 = SIMD16<Float>()
    var c10 = SIMD16<Float>()
    var c11 = SIMD16<Float>()
    var c20 = SIMD16<Float>()
    var c21 = SIMD16<Float>()
    var c30 = SIMD16<Float>()
    var c31 = SIMD16<Float>()
    var c40 = SIMD16<Float>()
    var c41 = SIMD16<Float>()
    var c50 = SIMD16<Float>()
    var c51 = SIMD16<Float>()
    var b = tile.b
    let panelStride = tile.bPanelStride
    var offsets = tile.offsets
    for _ in 0..<tile.depth {
      let offset = offsets[0]
      let w0 = VectorAccess.load(b)
      let w1 = VectorAccess.load(b + panelStride)
      let v0 = x0[offset]
      VectorArithmetic.multiplyAdd(&c00, v0, w0)
      VectorArithmetic.multiplyAdd(&c01, v0, w1)
      let v1 = x1[offset]
      VectorArithmetic.multiplyAdd(&c10, v1, w0)
      VectorArithmetic.multiplyAdd(&c11, v1, w1)
      let v2 = x2[offset]
      VectorArithmetic.multiplyAdd(&c20, v2, w0)
      VectorArithmetic.multiplyAdd(&c21, v2, w1)
      let v3 = x3[offset]
      VectorArithmetic.multiplyAdd(&c30, v3, w0)
      VectorArithmetic.multiplyAdd(&c31, v3, w1)
      let v4 = x4[offset]
      VectorArithmetic.multiplyAdd(&c40, v4, w0)
      VectorArithmetic.multiplyAdd(&c41, v4, w1)
      let v5 = x5[offset]
      VectorArithmetic.multiplyAdd(&c50, v5, w0)
      VectorArithmetic.multiplyAdd(&c51, v5, w1)
      b += 16
      offsets += 1
    }
    if let whole = WholeTileStore(tile.wholeTile, panels: 2) {
      whole.store((c00, c10, c20, c30, c40, c50), panel: 0)
      whole.store((c01, c11, c21, c31, c41, c51), panel: 1)
      return
    }
    if let panel = tile.panel(0) { GemmMicrokernel6x16.finish((c00, c10, c20, c30, c40, c50), panel) }
    if let panel = tile.panel(1) { GemmMicrokernel6x16.finish((c01, c11, c21, c31, c41, c51), panel) }
  }
}
