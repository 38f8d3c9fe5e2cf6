extension IndirectGemmMicrokernel6x16 {
  /// The tile of at most 8 output channels (the last panel of a group whose channel count leaves 1–8 over:
  /// MobileNetV2's 24-channel projections): only the lower half of each weight vector is loaded and
  /// multiplied, which halves the tile's work. Even and odd channels sum into separate accumulators (six
  /// 8-lane chains alone would leave the FMA pipes idle half their latency), added at the end; a channel
  /// is always in such a tile whatever the split over threads, so results stay the same on any count.
  @inline(__always)
  static func runLowerHalf(_ tile: IndirectGemmTile) {
    var e0 = SIMD8<Float>()
    var e1 = SIMD8<Float>()
    var e2 = SIMD8<Float>()
    var e3 = SIMD8<Float>()
    var e4 = SIMD8<Float>()
    var e5 = SIMD8<Float>()
    var o0 = SIMD8<Float>()
    var o1 = SIMD8<Float>()
    var o2 = SIMD8<Float>()
    var o3 = SIMD8<Float>()
    var o4 = SIMD8<Float>()
    var o5 = SIMD8<Float>()
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
      while channel + 1 < tile.channels {
        let be = VectorAccess.loadLower(b)
        let bo = VectorAccess.loadLower(b + channelStride)
        VectorArithmetic.multiplyAdd(&e0, a0[channel], be)
        VectorArithmetic.multiplyAdd(&e1, a1[channel], be)
        VectorArithmetic.multiplyAdd(&e2, a2[channel], be)
        VectorArithmetic.multiplyAdd(&e3, a3[channel], be)
        VectorArithmetic.multiplyAdd(&e4, a4[channel], be)
        VectorArithmetic.multiplyAdd(&e5, a5[channel], be)
        VectorArithmetic.multiplyAdd(&o0, a0[channel + 1], bo)
        VectorArithmetic.multiplyAdd(&o1, a1[channel + 1], bo)
        VectorArithmetic.multiplyAdd(&o2, a2[channel + 1], bo)
        VectorArithmetic.multiplyAdd(&o3, a3[channel + 1], bo)
        VectorArithmetic.multiplyAdd(&o4, a4[channel + 1], bo)
        VectorArithmetic.multiplyAdd(&o5, a5[channel + 1], bo)
        b += 2 * channelStride
        channel += 2
      }
      if channel < tile.channels {
        let be = VectorAccess.loadLower(b)
        VectorArithmetic.multiplyAdd(&e0, a0[channel], be)
        VectorArithmetic.multiplyAdd(&e1, a1[channel], be)
        VectorArithmetic.multiplyAdd(&e2, a2[channel], be)
        VectorArithmetic.multiplyAdd(&e3, a3[channel], be)
        VectorArithmetic.multiplyAdd(&e4, a4[channel], be)
        VectorArithmetic.multiplyAdd(&e5, a5[channel], be)
      }
      rows += positions
      tapWeights += lanes
    }
    let zero = SIMD8<Float>()
    let sums = (
      SIMD16(lowHalf: e0 + o0, highHalf: zero), SIMD16(lowHalf: e1 + o1, highHalf: zero),
      SIMD16(lowHalf: e2 + o2, highHalf: zero), SIMD16(lowHalf: e3 + o3, highHalf: zero),
      SIMD16(lowHalf: e4 + o4, highHalf: zero), SIMD16(lowHalf: e5 + o5, highHalf: zero)
    )
    finish(sums, tile)
  }
}
