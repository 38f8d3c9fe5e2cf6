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
    finish(c0, position: 0, tile)
    finish(c1, position: 1, tile)
    finish(c2, position: 2, tile)
    finish(c3, position: 3, tile)
    finish(c4, position: 4, tile)
    finish(c5, position: 5, tile)
  }

  /// Adds what the output holds (later channel blocks), applies the epilogue (last block) and stores the
  /// valid channels of one position.
  @inline(__always)
  static func finish(_ sums: SIMD16<Float>, position: Int, _ tile: DirectConvTile) {
    guard position < tile.positions else { return }
    let destination = tile.output + position
    let stride = tile.outputChannelStride
    let count = tile.outputChannels
    var values = sums
    if tile.accumulate { values += VectorAccess.gather(UnsafePointer(destination), stride: stride, count) }
    if let epilogue = tile.epilogue {
      if let bias = epilogue.bias { values += VectorAccess.loadPartial(bias, count) }
      if let residual = epilogue.residual {
        values += VectorAccess.gather(residual + position, stride: stride, count)
      }
      values = epilogue.activation(values)
    }
    VectorAccess.scatter(values, destination, stride: stride, count)
  }
}
