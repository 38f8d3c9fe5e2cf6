import ResCPU

/// The f32 channels-last pooling microkernel: 16 channels on the vector lanes × 4 output positions at a
/// time, a maximum or a sum per tap, every tap a plain vector load at any stride or dilation.
///
/// Every block of channels of a group of positions before the next group, so the input is read in address
/// order, as `ChannelsLastDepthwiseMicrokernel` reads it. Block by block over the whole row, a 3×3/2 max pool
/// on 128 channels at 147×147 (Xception's, from tf2onnx) swept its three input rows eight times, a cache
/// line per position each time, and took 1.3–2.0 ms against onnxruntime's 0.75.
///
/// The last block of fewer than 16 channels reads and writes only its valid lanes.
public enum ChannelsLastPoolMicrokernel {
  public static let lanes = 16
  public static let positions = 4

  public static func run(_ tile: ChannelsLastPoolTile) {
    var position = 0
    while tile.positions - position >= positions {
      forEachBlock(tile) { channel, lanes, load in
        runGroup(tile, channel: channel, lanes: lanes, position: position, load)
      }
      position += positions
    }
    guard position < tile.positions else { return }
    let rest = position..<tile.positions
    forEachBlock(tile) { channel, lanes, load in
      runSingly(tile, channel: channel, lanes: lanes, positions: rest, load)
    }
  }

  /// Calls `body` for each block of 16 channels, then for the last block of fewer, with the block's first
  /// channel, its lane count and its vector load.
  @inline(__always)
  static func forEachBlock(
    _ tile: ChannelsLastPoolTile, _ body: (Int, Int, (UnsafePointer<Float>) -> SIMD16<Float>) -> Void
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

  /// The four positions from `position` in the 16 channels from `channel`.
  @inline(__always)
  static func runGroup(
    _ tile: ChannelsLastPoolTile, channel: Int, lanes: Int, position: Int,
    _ load: (UnsafePointer<Float>) -> SIMD16<Float>
  ) {
    switch tile.reduction {
    case .maximum:
      maximum(tile, channel: channel, lanes: lanes, position: position, load)
    case .mean(let divisor):
      reduce(tile, channel: channel, lanes: lanes, position: position, initial: 0, load) { $0 += $1 } finish: {
        $0 / divisor
      }
    }
  }

  /// `range`'s positions one at a time in the 16 channels from `channel`.
  @inline(__always)
  static func runSingly(
    _ tile: ChannelsLastPoolTile, channel: Int, lanes: Int, positions range: Range<Int>,
    _ load: (UnsafePointer<Float>) -> SIMD16<Float>
  ) {
    switch tile.reduction {
    case .maximum:
      exactMaximum(tile, channel: channel, lanes: lanes, positions: range, load)
    case .mean(let divisor):
      for position in range {
        let origin = tile.input + channel + position * tile.positionStride
        var sum = SIMD16<Float>()
        for tap in 0..<tile.tapCount { sum += load(origin + tile.taps[tap]) }
        VectorAccess.storePartial(sum / divisor, tile.output + channel + position * tile.channels, lanes)
      }
    }
  }

  /// The maximum of the taps of four positions from `position` in the 16 channels from `channel`.
  ///
  /// A NaN-propagating maximum costs two compares, a mask `or` and a blend per tap; this takes a plain
  /// vector maximum (a NaN already in the result stays, a new one is dropped) and one running sum of the four
  /// positions' taps beside it, which turns NaN when a window held a NaN (or both infinities). Only such a
  /// group of positions is recomputed with the exact compare (`exactMaximum`), so every output has the exact
  /// rule's bits. One sum rather than one per position keeps the loop in registers on 256-bit builds (four
  /// maxima and four sums were sixteen of sixteen registers, and spilled): ResNet's 3×3/2 max pool over
  /// 64×112×112 alone, one thread, 0.146 → 0.133 ms.
  @inline(__always)
  static func maximum(
    _ tile: ChannelsLastPoolTile, channel: Int, lanes: Int, position: Int,
    _ load: (UnsafePointer<Float>) -> SIMD16<Float>
  ) {
    let stride = tile.positionStride
    let origin = tile.input + channel + position * stride
    var r0 = SIMD16<Float>(repeating: -.infinity)
    var (r1, r2, r3) = (r0, r0, r0)
    var sums = SIMD16<Float>()
    for tap in 0..<tile.tapCount {
      let source = origin + tile.taps[tap]
      let (v0, v1, v2, v3) = (load(source), load(source + stride), load(source + 2 * stride), load(source + 3 * stride))
      r0 = larger(r0, v0)
      r1 = larger(r1, v1)
      r2 = larger(r2, v2)
      r3 = larger(r3, v3)
      sums += (v0 + v1) + (v2 + v3)
    }
    prefetchGroupAfterNext(tile, origin)
    if any(sums .!= sums) {
      exactMaximum(tile, channel: channel, lanes: lanes, positions: position..<position + positions, load)
      return
    }
    let first = tile.output + channel + position * tile.channels
    VectorAccess.storePartial(r0, first, lanes)
    VectorAccess.storePartial(r1, first + tile.channels, lanes)
    VectorAccess.storePartial(r2, first + 2 * tile.channels, lanes)
    VectorAccess.storePartial(r3, first + 3 * tile.channels, lanes)
  }

  /// `value` where it exceeds `result`, else `result`: one `vmaxps`, which keeps `result` when either is NaN.
  @inline(__always)
  static func larger(_ result: SIMD16<Float>, _ value: SIMD16<Float>) -> SIMD16<Float> {
    result.replacing(with: value, where: result .< value)
  }

  /// The maximum of each of `range`'s positions one at a time, NaN as soon as a tap is NaN.
  @inline(__always)
  static func exactMaximum(
    _ tile: ChannelsLastPoolTile, channel: Int, lanes: Int, positions range: Range<Int>,
    _ load: (UnsafePointer<Float>) -> SIMD16<Float>
  ) {
    for position in range {
      let origin = tile.input + channel + position * tile.positionStride
      var result = SIMD16<Float>(repeating: -.infinity)
      for tap in 0..<tile.tapCount {
        let value = load(origin + tile.taps[tap])
        result.replace(with: value, where: (value .> result) .| (value .!= value))
      }
      VectorAccess.storePartial(result, tile.output + channel + position * tile.channels, lanes)
    }
  }

  /// Hints the cache to fetch every tap of the group of positions two groups after the one whose window
  /// origin (at this block's channel) is `origin`. In a network the pool's input has just been written by a
  /// layer as large as the second-level cache or larger, and between runs the weights streaming through
  /// evict it further, so its loads missed: ResNet's 3×3/2 max pool over 64×112×112 took 0.22–0.29 ms after
  /// its stem against 0.15 in a model without large weights, and onnxruntime's 0.12. With the hint, a stem,
  /// that pool, a 1x1 convolution and a 51 MB MatMul (one thread, four alternating rounds of 100-run medians):
  /// the pool 0.211–0.235 → 0.164–0.179 ms; four groups ahead instead of two, 0.176–0.208. A hint never
  /// faults, so one past the row's or the tensor's end is harmless; taps shared with the row above are
  /// hinted too (the list does not say which are new), at one hint per load.
  @inline(__always)
  static func prefetchGroupAfterNext(_ tile: ChannelsLastPoolTile, _ origin: UnsafePointer<Float>) {
    let stride = tile.positionStride
    let ahead = origin + 2 &* positions &* stride
    for tap in 0..<tile.tapCount {
      let source = ahead + tile.taps[tap]
      for k in 0..<positions { rescpu_prefetch_for_read(source + k &* stride) }
    }
  }

  /// Four positions from `position` in the 16 channels from `channel`: `combine` folds each tap's vector
  /// into the position's result, and `finish` maps the result before the store.
  @inline(__always)
  static func reduce(
    _ tile: ChannelsLastPoolTile, channel: Int, lanes: Int, position: Int, initial: Float,
    _ load: (UnsafePointer<Float>) -> SIMD16<Float>, _ combine: (inout SIMD16<Float>, SIMD16<Float>) -> Void,
    finish: (SIMD16<Float>) -> SIMD16<Float>
  ) {
    let stride = tile.positionStride
    let origin = tile.input + channel + position * stride
    var r0 = SIMD16<Float>(repeating: initial)
    var r1 = r0
    var r2 = r0
    var r3 = r0
    for tap in 0..<tile.tapCount {
      let source = origin + tile.taps[tap]
      combine(&r0, load(source))
      combine(&r1, load(source + stride))
      combine(&r2, load(source + 2 * stride))
      combine(&r3, load(source + 3 * stride))
    }
    prefetchGroupAfterNext(tile, origin)
    let first = tile.output + channel + position * tile.channels
    VectorAccess.storePartial(finish(r0), first, lanes)
    VectorAccess.storePartial(finish(r1), first + tile.channels, lanes)
    VectorAccess.storePartial(finish(r2), first + 2 * tile.channels, lanes)
    VectorAccess.storePartial(finish(r3), first + 3 * tile.channels, lanes)
  }
}

extension ChannelsLastPoolMicrokernel {
  /// Means over `positions` positions of channels `first ..< first + count` (`count ≤ 16`) of a
  /// channels-last image into `output[first...]`, summed in double precision in position order and divided
  /// once, so every channel's bits equal those of the NCHW global average pool's sequential double sum.
  public static func globalAverage(
    _ input: UnsafePointer<Float>, positions: Int, channels: Int, first: Int, count: Int,
    into output: UnsafeMutablePointer<Float>
  ) {
    var low = SIMD8<Double>()
    var high = SIMD8<Double>()
    var source = input + first
    for _ in 0..<positions {
      let values = VectorAccess.loadPartial(source, count)
      low += SIMD8<Double>(values.lowHalf)
      high += SIMD8<Double>(values.highHalf)
      source += channels
    }
    let divisor = Double(positions)
    let means = SIMD16<Float>(lowHalf: SIMD8<Float>(low / divisor), highHalf: SIMD8<Float>(high / divisor))
    VectorAccess.storePartial(means, output + first, count)
  }
}
