/// The f32 direct-convolution microkernel: 16 output channels on the vector lanes × 6 output positions.
///
/// Six `SIMD16<Float>` accumulators are twelve 256-bit registers on AVX2 (plus two for the weights and one
/// broadcast). Each reduction step is one vector load of 16 channels' weights, six broadcasts of input
/// values and six multiply-adds: the same shape as the GEMM microkernel, with the im2col matrix read in place
/// instead of packed (for a 3x3 convolution packing it cost more than the multiplications).
public enum DirectConvMicrokernel16x6 {
  public static let lanes = 16
  public static let positions = 6

  public static func run(_ tile: DirectConvTile) {
    var c0 = SIMD16<Float>()
    var c1 = SIMD16<Float>()
    var c2 = SIMD16<Float>()
    var c3 = SIMD16<Float>()
    var c4 = SIMD16<Float>()
    var c5 = SIMD16<Float>()
    if tile.continuesSums, let partial = tile.partialSums {
      c0 = VectorAccess.load(partial)
      c1 = VectorAccess.load(partial + 16)
      c2 = VectorAccess.load(partial + 32)
      c3 = VectorAccess.load(partial + 48)
      c4 = VectorAccess.load(partial + 64)
      c5 = VectorAccess.load(partial + 80)
    }
    let x0 = tile.input + tile.windows[0]
    let x1 = tile.input + tile.windows[1]
    let x2 = tile.input + tile.windows[2]
    let x3 = tile.input + tile.windows[3]
    let x4 = tile.input + tile.windows[4]
    let x5 = tile.input + tile.windows[5]
    let taps = tile.taps
    let tapCount = tile.tapCount
    var w = tile.weights
    var channelOffset = 0
    for _ in 0..<tile.channels {
      var tap = 0
      while tap < tapCount {
        let offset = channelOffset + taps[tap]
        let wv = VectorAccess.load(w)
        VectorArithmetic.multiplyAdd(&c0, x0[offset], wv)
        VectorArithmetic.multiplyAdd(&c1, x1[offset], wv)
        VectorArithmetic.multiplyAdd(&c2, x2[offset], wv)
        VectorArithmetic.multiplyAdd(&c3, x3[offset], wv)
        VectorArithmetic.multiplyAdd(&c4, x4[offset], wv)
        VectorArithmetic.multiplyAdd(&c5, x5[offset], wv)
        w += 16
        tap += 1
      }
      channelOffset += tile.channelStride
    }
    if !tile.completesSums, let partial = tile.partialSums {
      VectorAccess.store(c0, partial)
      VectorAccess.store(c1, partial + 16)
      VectorAccess.store(c2, partial + 32)
      VectorAccess.store(c3, partial + 48)
      VectorAccess.store(c4, partial + 64)
      VectorAccess.store(c5, partial + 80)
      return
    }
    // Constants, not the variables: a closure capturing the accumulators would keep them in memory and
    // store them on every step of the loop above.
    let finished = (c0, c1, c2, c3, c4, c5)
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 6) { buffer in
      let sums = buffer.baseAddress!
      sums[0] = finished.0
      sums[1] = finished.1
      sums[2] = finished.2
      sums[3] = finished.3
      sums[4] = finished.4
      sums[5] = finished.5
      finish(sums, tile)
    }
  }

  /// Applies the epilogue to the completed sums and stores the valid channels of each valid position; each
  /// step a loop over the positions.
  @inline(__always)
  static func finish(_ sums: UnsafeMutablePointer<SIMD16<Float>>, _ tile: DirectConvTile) {
    let stride = tile.outputChannelStride
    let count = tile.outputChannels
    let positions = tile.positions
    if let epilogue = tile.epilogue {
      if let bias = epilogue.bias {
        let values = VectorAccess.loadPartial(bias, count)
        for position in 0..<positions { sums[position] += values }
      }
      if let residual = epilogue.residual {
        for position in 0..<positions {
          sums[position] += VectorAccess.gather(residual + position, stride: stride, count)
        }
      }
      epilogue.activation.apply(vectors: sums, count: positions)
    }
    for position in 0..<positions {
      VectorAccess.scatter(sums[position], tile.output + position, stride: stride, count)
    }
  }
}
