/// The f32 channels-last pooling microkernel: 16 channels on the vector lanes × 4 output positions at a
/// time, a maximum or a sum per tap, every tap a plain vector load at any stride or dilation.
///
/// The last block of fewer than 16 channels reads and writes only its valid lanes.
public enum ChannelsLastPoolMicrokernel {
  public static let lanes = 16
  public static let positions = 4

  public static func run(_ tile: ChannelsLastPoolTile) {
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

  @inline(__always)
  static func runBlock(
    _ tile: ChannelsLastPoolTile, channel: Int, lanes: Int, _ load: (UnsafePointer<Float>) -> SIMD16<Float>
  ) {
    switch tile.reduction {
    case .maximum:
      reduce(tile, channel: channel, lanes: lanes, initial: -.infinity, load) { result, value in
        result.replace(with: value, where: (value .> result) .| (value .!= value))
      } finish: { $0 }
    case .mean(let divisor):
      reduce(tile, channel: channel, lanes: lanes, initial: 0, load) { $0 += $1 } finish: { $0 / divisor }
    }
  }

  /// Every position of the tile in the 16 channels from `channel`: `combine` folds each tap's vector into
  /// the position's result, four positions at a time, and `finish` maps the result before the store.
  @inline(__always)
  static func reduce(
    _ tile: ChannelsLastPoolTile, channel: Int, lanes: Int, initial: Float,
    _ load: (UnsafePointer<Float>) -> SIMD16<Float>, _ combine: (inout SIMD16<Float>, SIMD16<Float>) -> Void,
    finish: (SIMD16<Float>) -> SIMD16<Float>
  ) {
    let input = tile.input + channel
    let output = tile.output + channel
    let stride = tile.positionStride
    var position = 0
    while tile.positions - position >= positions {
      let origin = input + position * stride
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
      let first = output + position * tile.channels
      VectorAccess.storePartial(finish(r0), first, lanes)
      VectorAccess.storePartial(finish(r1), first + tile.channels, lanes)
      VectorAccess.storePartial(finish(r2), first + 2 * tile.channels, lanes)
      VectorAccess.storePartial(finish(r3), first + 3 * tile.channels, lanes)
      position += positions
    }
    while position < tile.positions {
      let origin = input + position * stride
      var result = SIMD16<Float>(repeating: initial)
      for tap in 0..<tile.tapCount { combine(&result, load(origin + tile.taps[tap])) }
      VectorAccess.storePartial(finish(result), output + position * tile.channels, lanes)
      position += 1
    }
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
