/// The channels-last grid kernel with a 6 × 64 register tile: six output positions of a row against four
/// adjacent 16-channel weight panels, for builds whose vectors are 512 bits wide (the 64-channel 7×7 stems of
/// ResNet and DenseNet). Four weight loads and six broadcasts per 24 multiply-adds, 24 sums in flight (29 of
/// AVX-512's 32 registers with the weights and a broadcast); the six positions are adjacent floats of the
/// stride-phase grid, so no pointer table is needed. Every output is the same chain of multiply-adds as on
/// `ChannelsLastGridMicrokernel6x16`.
public enum ChannelsLastGridMicrokernel6x64 {
  public static let mr = 6
  public static let nr = 64

  public static func run(_ tile: ChannelsLastGridTile) {
    let x0 = tile.rowInput(0)
    let x1 = tile.rowInput(1)
    let x2 = tile.rowInput(2)
    let x3 = tile.rowInput(3)
    let x4 = tile.rowInput(4)
    let x5 = tile.rowInput(5)
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
    var offsets = tile.offsets
    for _ in 0..<tile.depth {
      let offset = offsets[0]
      let w0 = VectorAccess.load(b)
      let w1 = VectorAccess.load(b + panelStride)
      let w2 = VectorAccess.load(b + 2 &* panelStride)
      let w3 = VectorAccess.load(b + 3 &* panelStride)
      let v0 = x0[offset]
      VectorArithmetic.multiplyAdd(&c00, v0, w0)
      VectorArithmetic.multiplyAdd(&c01, v0, w1)
      VectorArithmetic.multiplyAdd(&c02, v0, w2)
      VectorArithmetic.multiplyAdd(&c03, v0, w3)
      let v1 = x1[offset]
      VectorArithmetic.multiplyAdd(&c10, v1, w0)
      VectorArithmetic.multiplyAdd(&c11, v1, w1)
      VectorArithmetic.multiplyAdd(&c12, v1, w2)
      VectorArithmetic.multiplyAdd(&c13, v1, w3)
      let v2 = x2[offset]
      VectorArithmetic.multiplyAdd(&c20, v2, w0)
      VectorArithmetic.multiplyAdd(&c21, v2, w1)
      VectorArithmetic.multiplyAdd(&c22, v2, w2)
      VectorArithmetic.multiplyAdd(&c23, v2, w3)
      let v3 = x3[offset]
      VectorArithmetic.multiplyAdd(&c30, v3, w0)
      VectorArithmetic.multiplyAdd(&c31, v3, w1)
      VectorArithmetic.multiplyAdd(&c32, v3, w2)
      VectorArithmetic.multiplyAdd(&c33, v3, w3)
      let v4 = x4[offset]
      VectorArithmetic.multiplyAdd(&c40, v4, w0)
      VectorArithmetic.multiplyAdd(&c41, v4, w1)
      VectorArithmetic.multiplyAdd(&c42, v4, w2)
      VectorArithmetic.multiplyAdd(&c43, v4, w3)
      let v5 = x5[offset]
      VectorArithmetic.multiplyAdd(&c50, v5, w0)
      VectorArithmetic.multiplyAdd(&c51, v5, w1)
      VectorArithmetic.multiplyAdd(&c52, v5, w2)
      VectorArithmetic.multiplyAdd(&c53, v5, w3)
      b += 16
      offsets += 1
    }
    if let whole = WholeTileStore(tile.wholeTile, panels: 4) {
      whole.store((c00, c10, c20, c30, c40, c50), panel: 0)
      whole.store((c01, c11, c21, c31, c41, c51), panel: 1)
      whole.store((c02, c12, c22, c32, c42, c52), panel: 2)
      whole.store((c03, c13, c23, c33, c43, c53), panel: 3)
      return
    }
    if let panel = tile.panel(0) { GemmMicrokernel6x16.finish((c00, c10, c20, c30, c40, c50), panel) }
    if let panel = tile.panel(1) { GemmMicrokernel6x16.finish((c01, c11, c21, c31, c41, c51), panel) }
    if let panel = tile.panel(2) { GemmMicrokernel6x16.finish((c02, c12, c22, c32, c42, c52), panel) }
    if let panel = tile.panel(3) { GemmMicrokernel6x16.finish((c03, c13, c23, c33, c43, c53), panel) }
  }
}
