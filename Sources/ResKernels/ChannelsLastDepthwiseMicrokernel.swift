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
      while tile.channels - channel >= 2 * lanes {
        switch tile.rowTaps {
        case 3: runTwelveSliding(tile, position: position, channel: channel, width: InlineArray<3, Int>.self)
        case 5: runTwelveSliding(tile, position: position, channel: channel, width: InlineArray<5, Int>.self)
        case 7: runTwelveSliding(tile, position: position, channel: channel, width: InlineArray<7, Int>.self)
        default: runTwelve(tile, position: position, channel: channel)
        }
        channel += 2 * lanes
      }
      while tile.channels - channel >= lanes {
        switch tile.rowTaps {
        case 3: runSixPositionsSliding(tile, position: position, channel: channel, width: InlineArray<3, Int>.self)
        case 5: runSixPositionsSliding(tile, position: position, channel: channel, width: InlineArray<5, Int>.self)
        case 7: runSixPositionsSliding(tile, position: position, channel: channel, width: InlineArray<7, Int>.self)
        default: runSixPositions(tile, position: position, channel: channel)
        }
        channel += lanes
      }
      if channel < tile.channels {
        runPartialBlock(tile, position: position, channel: channel, as: InlineArray<6, SIMD16<Float>>.self)
      }
      position += positions
    }
    if tile.positions - position >= 4 {
      forEachBlock(tile) { channel in
        runPositions(tile, position: position, channel: channel, lanes: lanes, VectorAccess.load, as: InlineArray<4, SIMD16<Float>>.self)
      } partial: { channel in
        runPartialBlock(tile, position: position, channel: channel, as: InlineArray<4, SIMD16<Float>>.self)
      }
      position += 4
    }
    if tile.positions - position >= 2 {
      forEachBlock(tile) { channel in
        runPositions(tile, position: position, channel: channel, lanes: lanes, VectorAccess.load, as: InlineArray<2, SIMD16<Float>>.self)
      } partial: { channel in
        runPartialBlock(tile, position: position, channel: channel, as: InlineArray<2, SIMD16<Float>>.self)
      }
      position += 2
    }
    if position < tile.positions {
      forEachBlock(tile) { channel in
        runPositions(tile, position: position, channel: channel, lanes: lanes, VectorAccess.load, as: InlineArray<1, SIMD16<Float>>.self)
      } partial: { channel in
        runPartialBlock(tile, position: position, channel: channel, as: InlineArray<1, SIMD16<Float>>.self)
      }
    }
  }

  /// `count` positions of the last block of fewer than 16 channels, out of line: its partial loads are built
  /// in registers (`VectorAccess.loadPartialInRegisters`: a GhostNet layer on 8 channels loads every input
  /// that way), and kept out of `run` they leave the full blocks' code as it was.
  @inline(never)
  static func runPartialBlock<let count: Int>(
    _ tile: ChannelsLastDepthwiseTile, position: Int, channel: Int, as: InlineArray<count, SIMD16<Float>>.Type
  ) {
    let lanes = tile.channels - channel
    runPositions(
      tile, position: position, channel: channel, lanes: lanes, { VectorAccess.loadPartialInRegisters($0, lanes) },
      as: InlineArray<count, SIMD16<Float>>.self)
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
    var sums = zeroSums
    var tap = 0
    while tap < tile.tapCount {
      let weight = VectorAccess.load(weights + tile.tapWeights[tap] &* tile.weightStride)
      accumulate(&sums, weight, origin + tile.taps[tap], stride)
      tap &+= 1
    }
    finishSix(sums, tile, position: position, channel: channel)
  }

  /// `runSixPositions` for a window whose taps come in rows of `width` consecutive input positions read at
  /// stride 1 (`ChannelsLastDepthwiseTile.rowTaps`): the six positions of a kernel row read `6 + width − 1`
  /// input vectors, each loaded once for every tap that reads it (the compiler merges the repeated loads of
  /// the unrolled row), instead of one load per tap and position: a 3×3 row 8 loads for 18 multiply-adds
  /// instead of 18, a 5×5 row 10 for 30. Each position sums its taps in the same order as `runSixPositions`,
  /// so the results are the same bits.
  @inline(never)
  static func runSixPositionsSliding<let width: Int>(
    _ tile: ChannelsLastDepthwiseTile, position: Int, channel: Int, width _: InlineArray<width, Int>.Type
  ) {
    let stride = tile.positionStride
    let origin = tile.input + (channel &+ position &* stride)
    let weights = tile.weights + channel
    var sums = zeroSums
    var row = 0
    while row < tile.tapCount {
      let source = origin + tile.taps[row]
      let weightRow = weights + tile.tapWeights[row] &* tile.weightStride
      for j in 0..<width {
        accumulate(&sums, VectorAccess.load(weightRow + j &* tile.weightStride), source + j &* stride, stride)
      }
      row &+= width
    }
    finishSix(sums, tile, position: position, channel: channel)
  }

  /// Six positions of two blocks of 16 channels (from `channel`): twelve independent sums, enough to keep
  /// both multiply-add pipes busy. With six, each tap's six multiply-adds waited on the previous tap's (four
  /// cycles of latency for six in flight where eight fit). Each sum adds its taps in the order of
  /// `runSixPositions`, so the bits are the same.
  @inline(never)
  static func runTwelve(_ tile: ChannelsLastDepthwiseTile, position: Int, channel: Int) {
    let stride = tile.positionStride
    let origin = tile.input + (channel &+ position &* stride)
    let weights = tile.weights + channel
    var a = zeroSums
    var b = zeroSums
    var tap = 0
    while tap < tile.tapCount {
      let weight = weights + tile.tapWeights[tap] &* tile.weightStride
      let source = origin + tile.taps[tap]
      accumulate(&a, VectorAccess.load(weight), source, stride)
      accumulate(&b, VectorAccess.load(weight + lanes), source + lanes, stride)
      tap &+= 1
    }
    finishSix(a, tile, position: position, channel: channel)
    finishSix(b, tile, position: position, channel: channel &+ lanes)
  }

  /// `runTwelve` sliding along rows of `width` taps (`runSixPositionsSliding`).
  @inline(never)
  static func runTwelveSliding<let width: Int>(
    _ tile: ChannelsLastDepthwiseTile, position: Int, channel: Int, width _: InlineArray<width, Int>.Type
  ) {
    let stride = tile.positionStride
    let origin = tile.input + (channel &+ position &* stride)
    let weights = tile.weights + channel
    var a = zeroSums
    var b = zeroSums
    var row = 0
    while row < tile.tapCount {
      let source = origin + tile.taps[row]
      let weightRow = weights + tile.tapWeights[row] &* tile.weightStride
      for j in 0..<width {
        let weight = weightRow + j &* tile.weightStride
        let at = source + j &* stride
        accumulate(&a, VectorAccess.load(weight), at, stride)
        accumulate(&b, VectorAccess.load(weight + lanes), at + lanes, stride)
      }
      row &+= width
    }
    finishSix(a, tile, position: position, channel: channel)
    finishSix(b, tile, position: position, channel: channel &+ lanes)
  }

  /// Six positions' sums of one block of 16 channels.
  typealias Sums = (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)
  static var zeroSums: Sums { (SIMD16(), SIMD16(), SIMD16(), SIMD16(), SIMD16(), SIMD16()) }

  /// One tap of six positions `stride` floats apart from `source`: each sum plus `weight` times its input.
  @inline(__always)
  static func accumulate(_ sums: inout Sums, _ weight: SIMD16<Float>, _ source: UnsafePointer<Float>, _ stride: Int) {
    VectorArithmetic.multiplyAdd(&sums.0, weight, VectorAccess.load(source))
    VectorArithmetic.multiplyAdd(&sums.1, weight, VectorAccess.load(source + stride))
    VectorArithmetic.multiplyAdd(&sums.2, weight, VectorAccess.load(source + 2 &* stride))
    VectorArithmetic.multiplyAdd(&sums.3, weight, VectorAccess.load(source + 3 &* stride))
    VectorArithmetic.multiplyAdd(&sums.4, weight, VectorAccess.load(source + 4 &* stride))
    VectorArithmetic.multiplyAdd(&sums.5, weight, VectorAccess.load(source + 5 &* stride))
  }

  /// The epilogue of six full positions' sums, straight from the registers where it can.
  @inline(__always)
  static func finishSix(
    _ sums: Sums, _ tile: ChannelsLastDepthwiseTile, position: Int, channel: Int
  ) {
    let first = position &* tile.channels &+ channel
    let epilogue = TileEpilogue(
      bias: tile.bias.map { $0 + channel }, biasColumnStride: 1, residual: tile.residual.map { $0 + first },
      residualRowStride: tile.channels, activation: tile.activation)
    let gemmTile = GemmTile(
      depth: tile.tapCount, a: tile.input, b: tile.weights, c: tile.output + first, cRowStride: tile.channels,
      rows: positions, columns: lanes, accumulate: false, epilogue: epilogue)
    if let whole = WholeTileStore(gemmTile, panels: 1) {
      whole.store(sums, panel: 0)
      return
    }
    GemmMicrokernel6x16.finish(sums, gemmTile)
  }

  /// Calls `full` with the first channel of each block of 16 channels, then `partial` with the first channel
  /// of the last block when fewer than 16 channels remain.
  @inline(__always)
  static func forEachBlock(_ tile: ChannelsLastDepthwiseTile, _ full: (Int) -> Void, partial: (Int) -> Void) {
    var channel = 0
    while tile.channels - channel >= lanes {
      full(channel)
      channel += lanes
    }
    if channel < tile.channels { partial(channel) }
  }

  /// Bias, residual and activation on `count` positions' sums from `position`, then the stores. A whole block
  /// (16 lanes) takes plain loads and stores: the partial ones' branches, inlined into the small-position
  /// paths, had slowed MobileNetV2's 7x7 layers (whose rows are mostly such paths) by 15 %.
  @inline(__always)
  static func finish(
    _ sums: UnsafeMutablePointer<SIMD16<Float>>, count: Int, _ tile: ChannelsLastDepthwiseTile, position: Int,
    channel: Int, lanes: Int
  ) {
    guard lanes < self.lanes else {
      finishWhole(sums, count: count, tile, position: position, channel: channel)
      return
    }
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

  /// `finish` of whole 16-lane blocks.
  @inline(__always)
  static func finishWhole(
    _ sums: UnsafeMutablePointer<SIMD16<Float>>, count: Int, _ tile: ChannelsLastDepthwiseTile, position: Int,
    channel: Int
  ) {
    if let bias = tile.bias {
      let vector = VectorAccess.load(bias + channel)
      for index in 0..<count { sums[index] += vector }
    }
    let first = (position * tile.channels) + channel
    if let residual = tile.residual {
      for index in 0..<count { sums[index] += VectorAccess.load(residual + first + index * tile.channels) }
    }
    tile.activation.apply(vectors: sums, count: count)
    for index in 0..<count { VectorAccess.store(sums[index], tile.output + first + index * tile.channels) }
  }
}
