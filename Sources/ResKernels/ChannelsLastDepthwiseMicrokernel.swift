/// The f32 channels-last depthwise-convolution microkernel: 16 channels on the vector lanes × 6 output
/// positions at a time (12 accumulator registers), taps outermost so each tap's weight vector is loaded once
/// for the six positions; a row's last positions in blocks of 4, 2 and 1. Every block of channels of a group
/// of positions before the next group, so the input is read in address order (on MobileNetV2's 3×3 layers,
/// minima of alternating rounds: all positions of one channel block before the next was 5-15 % slower, and
/// 4-position groups 3-10 % slower than 6 on its 112×112, 56×56 and 14→7 layers).
///
/// Channels-last makes every tap of every lane a plain vector load at any stride or dilation: the NCHW
/// kernels needed padded plane copies, stride-phase splits or gathers instead. The last block of fewer than
/// 16 channels reads and writes only its valid lanes (partial loads and stores), so a buffer's end is never
/// crossed; its weight lanes past the channel count are zero.
public enum ChannelsLastDepthwiseMicrokernel {
  public static let lanes = 16
  public static let positions = 6

  /// Computes every position and channel of `tile`.
  public static func run(_ tile: ChannelsLastDepthwiseTile) {
    var position = 0
    while tile.positions - position >= positions {
      var channel = 0
      while tile.channels - channel >= lanes {
        runSixPositions(tile, position: position, channel: channel)
        channel += lanes
      }
      if channel < tile.channels {
        let count = tile.channels - channel
        runPositions(
          tile, position: position, channel: channel, lanes: count, { VectorAccess.loadPartial($0, count) },
          as: InlineArray<6, SIMD16<Float>>.self)
      }
      position += positions
    }
    if tile.positions - position >= 4 {
      forEachBlock(tile) { channel, lanes, load in
        runPositions(tile, position: position, channel: channel, lanes: lanes, load, as: InlineArray<4, SIMD16<Float>>.self)
      }
      position += 4
    }
    if tile.positions - position >= 2 {
      forEachBlock(tile) { channel, lanes, load in
        runPositions(tile, position: position, channel: channel, lanes: lanes, load, as: InlineArray<2, SIMD16<Float>>.self)
      }
      position += 2
    }
    if position < tile.positions {
      forEachBlock(tile) { channel, lanes, load in
        runPositions(tile, position: position, channel: channel, lanes: lanes, load, as: InlineArray<1, SIMD16<Float>>.self)
      }
    }
  }

  /// `count` positions from `position` in the 16 channels from `channel`, `lanes` of them valid: one
  /// accumulator per position, each tap's weight vector loaded once for all of them.
  @inline(__always)
  static func runPositions<let count: Int>(
    _ tile: ChannelsLastDepthwiseTile, position: Int, channel: Int, lanes: Int,
    _ load: (UnsafePointer<Float>) -> SIMD16<Float>, as: InlineArray<count, SIMD16<Float>>.Type
  ) {
    let origin = tile.input + channel + position * tile.positionStride
    let weights = tile.weights + channel
    var sums = InlineArray<count, SIMD16<Float>>(repeating: SIMD16<Float>())
    for tap in 0..<tile.tapCount {
      let weight = VectorAccess.load(weights + tile.tapWeights[tap] * tile.weightStride)
      let source = origin + tile.taps[tap]
      for index in 0..<count {
        VectorArithmetic.multiplyAdd(&sums[index], weight, load(source + index * tile.positionStride))
      }
    }
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: count) { buffer in
      for index in 0..<count { buffer[index] = sums[index] }
      finish(buffer.baseAddress!, count: count, tile, position: position, channel: channel, lanes: lanes)
    }
  }

  /// Six positions from `position` in the 16 channels from `channel`, all valid: the loop of `runPositions`
  /// with six named sums, wrapping arithmetic on the offsets (the generic loop kept an overflow test and four
  /// invariant tests per tap) and the GEMM tile's epilogue, straight from the registers where it can
  /// (`GemmMicrokernel6x16.finish`: bias, residual, activation, the same order as `finish` here).
  @inline(__always)
  static func runSixPositions(_ tile: ChannelsLastDepthwiseTile, position: Int, channel: Int) {
    let stride = tile.positionStride
    let origin = tile.input + (channel &+ position &* stride)
    let weights = tile.weights + channel
    var s0 = SIMD16<Float>()
    var s1 = SIMD16<Float>()
    var s2 = SIMD16<Float>()
    var s3 = SIMD16<Float>()
    var s4 = SIMD16<Float>()
    var s5 = SIMD16<Float>()
    var tap = 0
    while tap < tile.tapCount {
      let weight = VectorAccess.load(weights + tile.tapWeights[tap] &* tile.weightStride)
      let source = origin + tile.taps[tap]
      VectorArithmetic.multiplyAdd(&s0, weight, VectorAccess.load(source))
      VectorArithmetic.multiplyAdd(&s1, weight, VectorAccess.load(source + stride))
      VectorArithmetic.multiplyAdd(&s2, weight, VectorAccess.load(source + 2 &* stride))
      VectorArithmetic.multiplyAdd(&s3, weight, VectorAccess.load(source + 3 &* stride))
      VectorArithmetic.multiplyAdd(&s4, weight, VectorAccess.load(source + 4 &* stride))
      VectorArithmetic.multiplyAdd(&s5, weight, VectorAccess.load(source + 5 &* stride))
      tap &+= 1
    }
    let first = position &* tile.channels &+ channel
    let epilogue = TileEpilogue(
      bias: tile.bias.map { $0 + channel }, biasColumnStride: 1, residual: tile.residual.map { $0 + first },
      residualRowStride: tile.channels, activation: tile.activation)
    let gemmTile = GemmTile(
      depth: tile.tapCount, a: tile.input, b: tile.weights, c: tile.output + first, cRowStride: tile.channels,
      rows: positions, columns: lanes, accumulate: false, epilogue: epilogue)
    if let whole = WholeTileStore(gemmTile, panels: 1) {
      whole.store((s0, s1, s2, s3, s4, s5), panel: 0)
      return
    }
    GemmMicrokernel6x16.finish((s0, s1, s2, s3, s4, s5), gemmTile)
  }

  /// Calls `body` for each block of 16 channels with its first channel, its valid lanes and how to load them.
  @inline(__always)
  static func forEachBlock(
    _ tile: ChannelsLastDepthwiseTile,
    _ body: (_ channel: Int, _ lanes: Int, _ load: (UnsafePointer<Float>) -> SIMD16<Float>) -> Void
  ) {
    var channel = 0
    while tile.channels - channel >= lanes {
      body(channel, lanes) { VectorAccess.load($0) }
      channel += lanes
    }
    if channel < tile.channels {
      let count = tile.channels - channel
      body(channel, count) { VectorAccess.loadPartial($0, count) }
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
