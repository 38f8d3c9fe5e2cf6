import ResCPU

/// The channels-last convolution kernel with a 6 × 64 register tile: six output positions against four
/// adjacent 16-channel panels of weights, for builds whose vectors are 512 bits wide.
///
/// `IndirectGemmMicrokernel6x32` issues two weight loads and six broadcasts per twelve multiply-adds; four
/// panels share each broadcast among four multiply-adds (ten loads per 24), as `GemmMicrokernel6x64` does for
/// an A read in place, which ran ResNet-50's long reductions 2–10 % faster. The stride-2 3x3 and strided 1x1
/// layers of ResNet reduce over 256–4608 steps. Every output is the same chain of multiply-adds as on the
/// narrow kernel's full-width path; a tile whose last panel has at most `GemmMicrokernel6x16.halfWidth`
/// channels, or that spans fewer than four panels, goes to `IndirectGemmMicrokernel6x32` two panels at a
/// time, so results do not depend on the kernel or on how a split cuts the channels.
///
/// Each reduction step also hints `tile.prefetch` into the second-level cache and advances it by
/// `tile.prefetchStep` floats (the next column tile's weights, `WeightPrefetchOrder`), and with a
/// `tile.prefetchPanelStride` the same line of the three panels after it; without a hint it touches its own
/// weights instead, which keeps the loop free of a branch.
public enum IndirectGemmMicrokernel6x64 {
  public static let positions = 6
  public static let lanes = 64
  /// The width of each of the four weight panels a tile reads.
  public static let panelWidth = IndirectGemmMicrokernel6x16.lanes

  public static func run(_ tile: IndirectGemmTile) {
    guard tile.columns > 3 * panelWidth + GemmMicrokernel6x16.halfWidth else {
      IndirectGemmMicrokernel6x32.run(tile.firstPanelPair)
      if tile.columns > 2 * panelWidth { IndirectGemmMicrokernel6x32.run(tile.secondPanelPair) }
      return
    }
    // Two specializations of one body, so that the common tile's loop carries one hint, not four.
    if tile.prefetchPanelStride == 0 {
      accumulate(tile, hintingFourPanels: false)
    } else {
      accumulate(tile, hintingFourPanels: true)
    }
  }

  /// The tile's sums and their store; `hintingFourPanels` (a constant at each call) adds the hints of
  /// `tile.prefetchPanelStride`.
  @inline(__always)
  private static func accumulate(_ tile: IndirectGemmTile, hintingFourPanels: Bool) {
    tile.gemmTile.prefetchOutput()
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
    let channelStride = tile.taps * panelWidth
    let panelStride = tile.bPanelStride
    var rows = tile.indirection
    var tapWeights = tile.b
    var hint = tile.prefetch ?? tile.b
    let hintStep = tile.prefetchStep
    let hintPanel = tile.prefetchPanelStride
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
        rescpu_prefetch_to_l2(hint)
        if hintingFourPanels {
          rescpu_prefetch_to_l2(hint + hintPanel)
          rescpu_prefetch_to_l2(hint + 2 &* hintPanel)
          rescpu_prefetch_to_l2(hint + 3 &* hintPanel)
        }
        hint += hintStep
        let w0 = VectorAccess.load(b)
        let w1 = VectorAccess.load(b + panelStride)
        let w2 = VectorAccess.load(b + 2 &* panelStride)
        let w3 = VectorAccess.load(b + 3 &* panelStride)
        let x0 = a0[channel]
        VectorArithmetic.multiplyAdd(&c00, x0, w0)
        VectorArithmetic.multiplyAdd(&c01, x0, w1)
        VectorArithmetic.multiplyAdd(&c02, x0, w2)
        VectorArithmetic.multiplyAdd(&c03, x0, w3)
        let x1 = a1[channel]
        VectorArithmetic.multiplyAdd(&c10, x1, w0)
        VectorArithmetic.multiplyAdd(&c11, x1, w1)
        VectorArithmetic.multiplyAdd(&c12, x1, w2)
        VectorArithmetic.multiplyAdd(&c13, x1, w3)
        let x2 = a2[channel]
        VectorArithmetic.multiplyAdd(&c20, x2, w0)
        VectorArithmetic.multiplyAdd(&c21, x2, w1)
        VectorArithmetic.multiplyAdd(&c22, x2, w2)
        VectorArithmetic.multiplyAdd(&c23, x2, w3)
        let x3 = a3[channel]
        VectorArithmetic.multiplyAdd(&c30, x3, w0)
        VectorArithmetic.multiplyAdd(&c31, x3, w1)
        VectorArithmetic.multiplyAdd(&c32, x3, w2)
        VectorArithmetic.multiplyAdd(&c33, x3, w3)
        let x4 = a4[channel]
        VectorArithmetic.multiplyAdd(&c40, x4, w0)
        VectorArithmetic.multiplyAdd(&c41, x4, w1)
        VectorArithmetic.multiplyAdd(&c42, x4, w2)
        VectorArithmetic.multiplyAdd(&c43, x4, w3)
        let x5 = a5[channel]
        VectorArithmetic.multiplyAdd(&c50, x5, w0)
        VectorArithmetic.multiplyAdd(&c51, x5, w1)
        VectorArithmetic.multiplyAdd(&c52, x5, w2)
        VectorArithmetic.multiplyAdd(&c53, x5, w3)
        b += channelStride
        channel += 1
      }
      rows += positions
      tapWeights += panelWidth
    }
    // Constants, not the variables, as in the narrow kernel.
    let first = (c00, c10, c20, c30, c40, c50)
    let second = (c01, c11, c21, c31, c41, c51)
    let third = (c02, c12, c22, c32, c42, c52)
    let fourth = (c03, c13, c23, c33, c43, c53)
    if let whole = WholeTileStore(tile.gemmTile, panels: 4, accumulates: true) {
      whole.store(first, panel: 0)
      whole.store(second, panel: 1)
      whole.store(third, panel: 2)
      whole.store(fourth, panel: 3)
      return
    }
    let (left, right) = (tile.firstPanelPair, tile.secondPanelPair)
    IndirectGemmMicrokernel6x16.finish(first, left.leftPanel)
    IndirectGemmMicrokernel6x16.finish(second, left.rightPanel)
    IndirectGemmMicrokernel6x16.finish(third, right.leftPanel)
    IndirectGemmMicrokernel6x16.finish(fourth, right.rightPanel)
  }
}

extension IndirectGemmTile {
  /// Panels one and two of a four-panel tile.
  var firstPanelPair: IndirectGemmTile {
    var part = self
    part.columns = Swift.min(columns, 2 * IndirectGemmMicrokernel6x64.panelWidth)
    return part
  }

  /// Panels three and four of a four-panel tile: weights two panel strides on, C, bias and residual 32
  /// channels on.
  var secondPanelPair: IndirectGemmTile {
    let width = 2 * IndirectGemmMicrokernel6x64.panelWidth
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
