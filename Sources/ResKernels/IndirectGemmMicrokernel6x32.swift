/// The channels-last convolution kernel with a 6 × 32 register tile: six output positions against two
/// adjacent 16-channel panels of weights, for builds whose vectors are 512 bits wide.
///
/// The same reasoning as `GemmMicrokernel6x32`: `IndirectGemmMicrokernel6x16`'s six accumulators leave two
/// FMA pipes of four-cycle latency a quarter idle on AVX-512, and it issues one load per multiply-add; twelve
/// chains with two vector loads and six broadcasts per twelve multiply-adds do not. Weights stay in the plan's
/// 16-wide panels, the second read at `tile.bPanelStride`. Every output is the same chain of multiply-adds
/// as on the narrow kernel's full-width path, and tiles whose second panel has at most
/// `GemmMicrokernel6x16.halfWidth` channels go to the narrow kernel as two tiles, so results do not depend on
/// the kernel or on how a split pairs the panels.
public enum IndirectGemmMicrokernel6x32 {
  public static let positions = 6
  public static let lanes = 32
  /// The width of each of the two weight panels a tile reads.
  public static let panelWidth = IndirectGemmMicrokernel6x16.lanes

  public static func run(_ tile: IndirectGemmTile) {
    guard tile.columns > panelWidth + GemmMicrokernel6x16.halfWidth else {
      IndirectGemmMicrokernel6x16.run(tile.leftPanel)
      if tile.columns > panelWidth { IndirectGemmMicrokernel6x16.run(tile.rightPanel) }
      return
    }
    tile.gemmTile.prefetchOutput()
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
    let channelStride = tile.taps * panelWidth
    let panelStride = tile.bPanelStride
    var rows = tile.indirection
    var tapWeights = tile.b
    for _ in 0..<tile.taps {
      let a0 = rows[0] + tile.channelOffset
      let a1 = rows[1] + tile.channelOffset
      let a2 = rows[2] + tile.channelOffset
      let a3 = rows[3] + tile.channelOffset
      let a4 = rows[4] + tile.channelOffset
      let a5 = rows[5] + tile.channelOffset
      var b = tapWeights
      var channel = 0
      while channel < tile.channels {
        let bl = VectorAccess.load(b)
        let br = VectorAccess.load(b + panelStride)
        let x0 = a0[channel]
        VectorArithmetic.multiplyAdd(&l0, x0, bl)
        VectorArithmetic.multiplyAdd(&r0, x0, br)
        let x1 = a1[channel]
        VectorArithmetic.multiplyAdd(&l1, x1, bl)
        VectorArithmetic.multiplyAdd(&r1, x1, br)
        let x2 = a2[channel]
        VectorArithmetic.multiplyAdd(&l2, x2, bl)
        VectorArithmetic.multiplyAdd(&r2, x2, br)
        let x3 = a3[channel]
        VectorArithmetic.multiplyAdd(&l3, x3, bl)
        VectorArithmetic.multiplyAdd(&r3, x3, br)
        let x4 = a4[channel]
        VectorArithmetic.multiplyAdd(&l4, x4, bl)
        VectorArithmetic.multiplyAdd(&r4, x4, br)
        let x5 = a5[channel]
        VectorArithmetic.multiplyAdd(&l5, x5, bl)
        VectorArithmetic.multiplyAdd(&r5, x5, br)
        b += channelStride
        channel += 1
      }
      rows += positions
      tapWeights += panelWidth
    }
    // Constants, not the variables, as in the narrow kernel.
    let leftSums = (l0, l1, l2, l3, l4, l5)
    let rightSums = (r0, r1, r2, r3, r4, r5)
    if let whole = WholeTileStore(tile.gemmTile, panels: 2) {
      whole.store(leftSums, panel: 0)
      whole.store(rightSums, panel: 1)
      return
    }
    IndirectGemmMicrokernel6x16.finish(leftSums, tile.leftPanel)
    IndirectGemmMicrokernel6x16.finish(rightSums, tile.rightPanel)
  }
}

extension IndirectGemmTile {
  /// The first 16-channel panel of a two-panel tile.
  var leftPanel: IndirectGemmTile {
    var half = self
    half.columns = Swift.min(columns, IndirectGemmMicrokernel6x32.panelWidth)
    return half
  }

  /// The second 16-channel panel: weights at `bPanelStride`, C, bias and residual 16 channels on.
  var rightPanel: IndirectGemmTile {
    let width = IndirectGemmMicrokernel6x32.panelWidth
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
