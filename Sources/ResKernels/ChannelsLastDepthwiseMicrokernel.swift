/// The f32 channels-last depthwise-convolution microkernel: 16 channels on the vector lanes × 4 output
/// positions at a time, taps outermost so each tap's weight vector is loaded once for the four positions.
///
/// Channels-last makes every tap of every lane a plain vector load at any stride or dilation: the NCHW
/// kernels needed padded plane copies, stride-phase splits or gathers instead. The last block of fewer than
/// 16 channels reads and writes only its valid lanes (partial loads and stores), so a buffer's end is never
/// crossed; its weight lanes past the channel count are zero.
public enum ChannelsLastDepthwiseMicrokernel {
  public static let lanes = 16
  public static let positions = 4

  public static func run(_ tile: ChannelsLastDepthwiseTile) {
    var channel = 0
    while tile.channels - channel >= lanes {
      runBlock(tile, channel: channel, lanes: lanes) { VectorAccess.load($0) }
      channel += lanes
    }
    if channel < tile.channels {
      let count = tile.channels - channel
      runBlock(tile, channel: channel, lanes: count) { VectorAccess.loadPartial($0, count) }
    }
  }

  /// Every position of the tile in the 16 channels from `channel`, `lanes` of them valid.
  @inline(__always)
  static func runBlock(
    _ tile: ChannelsLastDepthwiseTile, channel: Int, lanes: Int, _ load: (UnsafePointer<Float>) -> SIMD16<Float>
  ) {
    let input = tile.input + channel
    let weights = tile.weights + channel
    var position = 0
    while tile.positions - position >= positions {
      let origin = input + position * tile.positionStride
      var a0 = SIMD16<Float>()
      var a1 = SIMD16<Float>()
      var a2 = SIMD16<Float>()
      var a3 = SIMD16<Float>()
      for tap in 0..<tile.tapCount {
        let weight = VectorAccess.load(weights + tile.tapWeights[tap] * tile.weightStride)
        let source = origin + tile.taps[tap]
        VectorArithmetic.multiplyAdd(&a0, weight, load(source))
        VectorArithmetic.multiplyAdd(&a1, weight, load(source + tile.positionStride))
        VectorArithmetic.multiplyAdd(&a2, weight, load(source + 2 * tile.positionStride))
        VectorArithmetic.multiplyAdd(&a3, weight, load(source + 3 * tile.positionStride))
      }
      withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: positions) { buffer in
        let sums = buffer.baseAddress!
        sums[0] = a0
        sums[1] = a1
        sums[2] = a2
        sums[3] = a3
        finish(sums, count: positions, tile, position: position, channel: channel, lanes: lanes)
      }
      position += positions
    }
    while position < tile.positions {
      let origin = input + position * tile.positionStride
      var sum = SIMD16<Float>()
      for tap in 0..<tile.tapCount {
        let weight = VectorAccess.load(weights + tile.tapWeights[tap] * tile.weightStride)
        VectorArithmetic.multiplyAdd(&sum, weight, load(origin + tile.taps[tap]))
      }
      withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 1) { buffer in
        buffer[0] = sum
        finish(buffer.baseAddress!, count: 1, tile, position: position, channel: channel, lanes: lanes)
      }
      position += 1
    }
  }

  /// Bias, residual and activation on `count` positions' sums from `position`, then the stores.
  @inline(__always)
  static func finish(
    _ sums: UnsafeMutablePointer<SIMD16<Float>>, count: Int, _ tile: ChannelsLastDepthwiseTile, position: Int,
    channel: Int, lanes: Int
  ) {
    if let bias = tile.bias {
      let vector = VectorAccess.loadPartial(bias + channel, lanes)
      for index in 0..<count { sums[index] += vector }
    }
    let first = (position * tile.channels) + channel
    if let residual = tile.residual {
      for index in 0..<count {
        sums[index] += VectorAccess.loadPartial(residual + first + index * tile.channels, lanes)
      }
    }
    tile.activation.apply(vectors: sums, count: count)
    for index in 0..<count {
      VectorAccess.storePartial(sums[index], tile.output + first + index * tile.channels, lanes)
    }
  }
}
