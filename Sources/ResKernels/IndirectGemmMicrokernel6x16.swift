/// The channels-last convolution microkernel: 6 output positions × 16 output channels in twelve AVX2
/// registers, A's rows read in place through an indirection table (see `IndirectGemmTile`).
///
/// Taps outermost, channels innermost: each tap loads its six row pointers once, then every input channel is
/// one vector of B, six broadcasts and six multiply-adds, as in `GemmMicrokernel6x16`. B's vectors of one tap
/// are `taps · 16` floats apart, one cache line each, so the weights keep the direct method's ONNX-ordered
/// panels and need no repacking. The sums are finished by `GemmMicrokernel6x16`'s code (bias, residual,
/// activation in registers for whole tiles), so both kernels round alike.
public enum IndirectGemmMicrokernel6x16 {
  public static let positions = 6
  public static let lanes = 16

  public static func run(_ tile: IndirectGemmTile) {
    tile.gemmTile.prefetchOutput()
    if tile.columns <= GemmMicrokernel6x16.halfWidth {
      runLowerHalf(tile)
      return
    }
    var c0 = SIMD16<Float>()
    var c1 = SIMD16<Float>()
    var c2 = SIMD16<Float>()
    var c3 = SIMD16<Float>()
    var c4 = SIMD16<Float>()
    var c5 = SIMD16<Float>()
    let channelStride = tile.taps * lanes
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
        let bv = VectorAccess.load(b)
        VectorArithmetic.multiplyAdd(&c0, a0[channel], bv)
        VectorArithmetic.multiplyAdd(&c1, a1[channel], bv)
        VectorArithmetic.multiplyAdd(&c2, a2[channel], bv)
        VectorArithmetic.multiplyAdd(&c3, a3[channel], bv)
        VectorArithmetic.multiplyAdd(&c4, a4[channel], bv)
        VectorArithmetic.multiplyAdd(&c5, a5[channel], bv)
        b += channelStride
        channel += 1
      }
      rows += positions
      tapWeights += lanes
    }
    // Constants, not the variables: a closure capturing the accumulators would keep them in memory.
    finish((c0, c1, c2, c3, c4, c5), tile)
  }

  /// Stores the six rows' sums through the epilogue: straight from registers for a whole tile with a
  /// piecewise-linear activation, else through `GemmMicrokernel6x16.finish`.
  @inline(__always)
  static func finish(_ sums: GemmMicrokernel6x16.Sums, _ tile: IndirectGemmTile) {
    let gemmTile = tile.gemmTile
    if GemmMicrokernel6x16.storeWholeTile(sums, gemmTile) { return }
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: positions) { buffer in
      let rows = buffer.baseAddress!
      rows[0] = sums.0
      rows[1] = sums.1
      rows[2] = sums.2
      rows[3] = sums.3
      rows[4] = sums.4
      rows[5] = sums.5
      GemmMicrokernel6x16.finish(rows, gemmTile)
    }
  }
}
