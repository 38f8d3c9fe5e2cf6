import ResCPU
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

  /// Computes every position and channel of `tile`: its groups stored from the registers where the
  /// activation is a clip, hard swish or SiLU (`GroupStore`), through `finishSix` otherwise.
  public static func run(_ tile: ChannelsLastDepthwiseTile) {
    switch tile.activation {
    case .hardSwish: run(tile, GroupStore(tile, HardSwishInRegisters()))
    case .silu: run(tile, GroupStore(tile, SiLUInRegisters()))
    default: run(tile, tile.activation.clipBounds.map { GroupStore(tile, ClipInRegisters(low: $0.0, high: $0.1)) })
    }
  }

  /// `run` with the groups' store chosen.
  @inline(__always)
  static func run<Activation: RegisterActivation>(_ tile: ChannelsLastDepthwiseTile, _ store: GroupStore<Activation>?) {
    // A tile of fewer than six positions has no group for the row kernels (a 7×7 plane's interior five).
    guard usesRowKernels, tile.positions >= positions, let rows = SlidingRows(tile) else {
      runListed(tile, store)
      return
    }
    switch (rows.width, rows.positionsPerTap) {
    case (3, 1): runRows(tile, rows, store, width: InlineArray<3, Int>.self, ratio: InlineArray<1, Int>.self)
    case (5, 1): runRows(tile, rows, store, width: InlineArray<5, Int>.self, ratio: InlineArray<1, Int>.self)
    case (7, 1): runRows(tile, rows, store, width: InlineArray<7, Int>.self, ratio: InlineArray<1, Int>.self)
    case (5, 2): runRows(tile, rows, store, width: InlineArray<5, Int>.self, ratio: InlineArray<2, Int>.self)
    case (7, 2): runRows(tile, rows, store, width: InlineArray<7, Int>.self, ratio: InlineArray<2, Int>.self)
    // 3 taps at stride 2 ran 5–10 % slower on the row kernels than listed (MobileNetV2's 96 channels 112→56
    // and 144 channels 56→28; again 7-15 % once both stored through `GroupStore`); other widths and dilated
    // rows have no row kernel.
    default: runListed(tile, store)
    }
  }

  /// A tile whose taps are evenly spaced rows (`SlidingRows`) of `width` taps, the positions `ratio` taps
  /// apart: its six-position groups on the row kernels, the rest as listed. Chosen once per tile: deciding
  /// per group copied the rows' description through a vector register and read it back a field at a time,
  /// a store-forwarding stall on every call (a fifth of a 144-channel 56×56 layer's time).
  @inline(never)
  static func runRows<let width: Int, let ratio: Int, Activation: RegisterActivation>(
    _ tile: ChannelsLastDepthwiseTile, _ rows: SlidingRows, _ store: GroupStore<Activation>?,
    width: InlineArray<width, Int>.Type, ratio: InlineArray<ratio, Int>.Type
  ) {
    let taps = RowsOfWidth<width>(rows: rows)
    if let store {
      runStoredRows(tile, rows, taps, store, width: width, ratio: ratio)
      return
    }
    let next = forEachGroup(tile, taps) { position, channel in
      runTwelveRows(tile, rows, position, channel, store, width: width, ratio: ratio)
    } six: { position, channel in
      runSixRows(tile, rows, position, channel, store, width: width, ratio: ratio)
    }
    runRemainder(tile, taps, from: next)
  }

  /// A tile on the listed-taps kernels.
  @inline(never)
  static func runListed<Activation: RegisterActivation>(_ tile: ChannelsLastDepthwiseTile, _ store: GroupStore<Activation>?) {
    let taps = ListedTaps(tile)
    let next = forEachGroup(tile, taps) { position, channel in
      runTwelve(tile, position: position, channel: channel, store)
    } six: { position, channel in
      runSixPositions(tile, position: position, channel: channel, store)
    }
    runRemainder(tile, taps, from: next)
  }

  /// Whether tiles of evenly spaced rows take the row kernels (`runRows`), which load each input vector a row
  /// of six positions shares once: a 3×3 row's eight input vectors beside six sums fit AVX-512's 32 registers,
  /// but on AVX2 (two ymm per vector) the compiler spilled on every tap and the listed-taps kernels, one load
  /// per tap and position, ran faster (AVX2 build, MobileNetV2 one thread, eight alternating profiles:
  /// depthwise steps 1.188 → 1.091 ms, the 112×112 layer 0.250 → 0.188). The same sums in the same order
  /// either way.
  static var usesRowKernels: Bool { BuildISA.hasAVX512F }

  /// Whether groups take two blocks of 16 channels at once (`runTwelve`, `runTwelveRows`): their twelve sums
  /// are twelve registers where a vector register holds 16 floats (AVX-512), but 24 of AVX2's 16 (and 48 of
  /// NEON's 32), where the compiler spilled sums to the stack on every tap; there each block goes alone.
  static var pairsChannelBlocks: Bool { BuildISA.hasAVX512F }

  /// Calls `twelve` (two blocks of 16 channels, where `pairsChannelBlocks`) or `six` (one) for each channel
  /// block of each group of six positions, the last block of fewer than 16 channels on `runPartialBlock` with
  /// `taps`; returns the first position left over.
  @inline(__always)
  static func forEachGroup<Taps: DepthwiseTaps>(
    _ tile: ChannelsLastDepthwiseTile, _ taps: Taps, twelve: (Int, Int) -> Void, six: (Int, Int) -> Void
  ) -> Int {
    var position = 0
    while tile.positions - position >= positions {
      var channel = 0
      while pairsChannelBlocks && tile.channels - channel >= 2 * lanes {
        twelve(position, channel)
        channel += 2 * lanes
      }
      while tile.channels - channel >= lanes {
        six(position, channel)
        channel += lanes
      }
      if channel < tile.channels {
        if let last = tile.overlappingLastBlock {
          six(position, last)
        } else {
          runPartialBlock(tile, taps, position: position, channel: channel, as: InlineArray<6, SIMD16<Float>>.self)
        }
      }
      position += positions
    }
    return position
  }

  /// The last 0–5 positions from `start`, in steps of 4, 2 and 1.
  static func runRemainder<Taps: DepthwiseTaps>(_ tile: ChannelsLastDepthwiseTile, _ taps: Taps, from start: Int) {
    var position = start
    if tile.positions - position >= 4 {
      runEveryBlock(tile, taps, position: position, as: InlineArray<4, SIMD16<Float>>.self)
      position += 4
    }
    if tile.positions - position >= 2 {
      runEveryBlock(tile, taps, position: position, as: InlineArray<2, SIMD16<Float>>.self)
      position += 2
    }
    if position < tile.positions {
      runEveryBlock(tile, taps, position: position, as: InlineArray<1, SIMD16<Float>>.self)
    }
  }

  /// `count` positions from `position` in every block of 16 channels, the last partial one out of line.
  @inline(__always)
  static func runEveryBlock<let count: Int, Taps: DepthwiseTaps>(
    _ tile: ChannelsLastDepthwiseTile, _ taps: Taps, position: Int, as: InlineArray<count, SIMD16<Float>>.Type
  ) {
    var channel = 0
    while tile.channels - channel >= lanes {
      runPositions(tile, taps, position: position, channel: channel, lanes: lanes, VectorAccess.load, as: `as`)
      channel += lanes
    }
    if channel < tile.channels {
      if let last = tile.overlappingLastBlock {
        runPositions(tile, taps, position: position, channel: last, lanes: lanes, VectorAccess.load, as: `as`)
      } else {
        runPartialBlock(tile, taps, position: position, channel: channel, as: `as`)
      }
    }
  }

  /// `count` positions of the last block of fewer than 16 channels, out of line: its partial loads are built
  /// in registers (`VectorAccess.loadPartialInRegisters`: a GhostNet layer on 8 channels loads every input
  /// that way), and kept out of `run` they leave the full blocks' code as it was.
  @inline(never)
  static func runPartialBlock<let count: Int, Taps: DepthwiseTaps>(
    _ tile: ChannelsLastDepthwiseTile, _ taps: Taps, position: Int, channel: Int,
    as: InlineArray<count, SIMD16<Float>>.Type
  ) {
    let lanes = tile.channels - channel
    runPositions(
      tile, taps, position: position, channel: channel, lanes: lanes, { VectorAccess.loadPartialInRegisters($0, lanes) },
      as: InlineArray<count, SIMD16<Float>>.self)
  }

  /// `count` positions from `position` in the 16 channels from `channel`, `lanes` of them valid: one
  /// accumulator per position, each tap's weight vector loaded once for all of them.
  @inline(__always)
  static func runPositions<let count: Int, Taps: DepthwiseTaps>(
    _ tile: ChannelsLastDepthwiseTile, _ taps: Taps, position: Int, channel: Int, lanes: Int,
    _ load: (UnsafePointer<Float>) -> SIMD16<Float>, as: InlineArray<count, SIMD16<Float>>.Type
  ) {
    let origin = tile.input + (channel &+ position &* tile.positionStride)
    let weights = tile.weights + channel
    var sums = InlineArray<count, SIMD16<Float>>(repeating: SIMD16<Float>())
    taps.forEach { offset, weightOffset in
      let weight = VectorAccess.load(weights + weightOffset)
      let source = origin + offset
      for index in 0..<count {
        VectorArithmetic.multiplyAdd(&sums[index], weight, load(source + index &* tile.positionStride))
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
  static func runSixPositions<Activation: RegisterActivation>(
    _ tile: ChannelsLastDepthwiseTile, position: Int, channel: Int, _ store: GroupStore<Activation>?
  ) {
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
    if let store {
      store.store(sums, position: position, channel: channel)
    } else {
      finishSix(sums, tile, position: position, channel: channel)
    }
  }

  /// Six positions of two blocks of 16 channels (from `channel`): twelve independent sums, enough to keep
  /// both multiply-add pipes busy. With six, each tap's six multiply-adds waited on the previous tap's (four
  /// cycles of latency for six in flight where eight fit). Each sum adds its taps in the order of
  /// `runSixPositions`, so the bits are the same.
  @inline(never)
  static func runTwelve<Activation: RegisterActivation>(
    _ tile: ChannelsLastDepthwiseTile, position: Int, channel: Int, _ store: GroupStore<Activation>?
  ) {
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
    if let store {
      store.store(a, position: position, channel: channel)
      store.store(b, position: position, channel: channel &+ lanes)
    } else {
      finishSix(a, tile, position: position, channel: channel)
      finishSix(b, tile, position: position, channel: channel &+ lanes)
    }
  }

  /// Six positions of one block of 16 channels, row by row: a row's `width` taps `tapStep` floats apart,
  /// the positions `ratio` taps apart, so the six positions of a row read `5 · ratio + width` input vectors,
  /// and the compiler, seeing which of the unrolled row's loads read the same vector, loads each once (a 3×3
  /// row at stride 1: 8 loads for 18 multiply-adds instead of 18; a 5×5 row at stride 2: 15 for 30). Each
  /// position sums its taps in the listed order, as `runSixPositions` does, so the results are the same bits.
  @inline(never)
  static func runSixRows<let width: Int, let ratio: Int, Activation: RegisterActivation>(
    _ tile: ChannelsLastDepthwiseTile, _ rows: SlidingRows, _ position: Int, _ channel: Int,
    _ store: GroupStore<Activation>?, width: InlineArray<width, Int>.Type, ratio: InlineArray<ratio, Int>.Type
  ) {
    let sums = sixRowSums(tile, rows, position, channel, width: width, ratio: ratio)
    if let store {
      store.store(sums, position: position, channel: channel)
    } else {
      finishSix(sums, tile, position: position, channel: channel)
    }
  }

  /// The sums of `runSixRows`.
  @inline(__always)
  static func sixRowSums<let width: Int, let ratio: Int>(
    _ tile: ChannelsLastDepthwiseTile, _ rows: SlidingRows, _ position: Int, _ channel: Int,
    width _: InlineArray<width, Int>.Type, ratio _: InlineArray<ratio, Int>.Type
  ) -> Sums {
    let step = rows.tapStep
    var source = tile.input + (channel &+ position &* tile.positionStride &+ rows.firstOffset)
    var weightRow = tile.weights + (channel &+ rows.firstWeights)
    var sums = zeroSums
    for _ in 0..<rows.count {
      for j in 0..<width {
        accumulate(&sums, VectorAccess.load(weightRow + j &* tile.weightStride), source, tap: j, step, ratio)
      }
      source += rows.offsetStep
      weightRow += rows.weightStep
    }
    prefetchLastRow(after: source - rows.offsetStep, width: width, step: step, ratio: ratio, blocks: 1)
    return sums
  }

  /// `runSixRows` on two blocks of 16 channels: twelve independent sums (see `runTwelve`).
  @inline(never)
  static func runTwelveRows<let width: Int, let ratio: Int, Activation: RegisterActivation>(
    _ tile: ChannelsLastDepthwiseTile, _ rows: SlidingRows, _ position: Int, _ channel: Int,
    _ store: GroupStore<Activation>?, width: InlineArray<width, Int>.Type, ratio: InlineArray<ratio, Int>.Type
  ) {
    let (a, b) = twelveRowSums(tile, rows, position, channel, width: width, ratio: ratio)
    if let store {
      store.store(a, position: position, channel: channel)
      store.store(b, position: position, channel: channel &+ lanes)
    } else {
      finishSix(a, tile, position: position, channel: channel)
      finishSix(b, tile, position: position, channel: channel &+ lanes)
    }
  }

  /// Every group of six positions of a tile whose epilogue `GroupStore` covers, in one call: the groups'
  /// sums and stores inlined in `forEachGroup`'s loop (the same blocks in the same order as `runTwelveRows`
  /// and `runSixRows`, so the same bits). Called per group, their setup and call were a third of
  /// `runTwelveRows`' time on 32 channels, whose row segments are 18 groups of one pair.
  @inline(never)
  static func runStoredRows<let width: Int, let ratio: Int, Activation: RegisterActivation>(
    _ tile: ChannelsLastDepthwiseTile, _ rows: SlidingRows, _ taps: RowsOfWidth<width>, _ store: GroupStore<Activation>,
    width: InlineArray<width, Int>.Type, ratio: InlineArray<ratio, Int>.Type
  ) {
    let next = forEachGroup(tile, taps) { position, channel in
      let (a, b) = twelveRowSums(tile, rows, position, channel, width: width, ratio: ratio)
      store.store(a, position: position, channel: channel)
      store.store(b, position: position, channel: channel &+ lanes)
    } six: { position, channel in
      store.store(sixRowSums(tile, rows, position, channel, width: width, ratio: ratio), position: position, channel: channel)
    }
    runRemainder(tile, taps, from: next)
  }

  /// Hints the cache to fetch, in the last row of taps, the input positions that the group two groups on
  /// reads past the next group's (`blocks` blocks of 16 channels each), given where this group's last row
  /// starts (`row`); a hint never faults, so one past the tensor's end is harmless. The rows
  /// above it were read by the output row before and are in the second-level cache; the last one is new,
  /// and on a plane larger than that cache it comes from memory, which stalled every load of it: Xception's
  /// 3×3 layers at 147×147 (from tf2onnx, 11 MB a tensor) ran at 1.6–2.2x onnxruntime's time, and with this
  /// hint 64 channels went from 0.66 to 0.37 ms, 128 from 2.10 to 1.50 (one thread; MobileNetV2 unchanged).
  @inline(__always)
  static func prefetchLastRow(after row: UnsafePointer<Float>, width: Int, step: Int, ratio: Int, blocks: Int) {
    let ahead = row + (width &- 1 &+ 2 &* positions &* ratio) &* step
    for k in 0..<(positions &* ratio) {
      for block in 0..<blocks { rescpu_prefetch_for_read(ahead + k &* step + block &* lanes) }
    }
  }

  /// The sums of `runTwelveRows`.
  @inline(__always)
  static func twelveRowSums<let width: Int, let ratio: Int>(
    _ tile: ChannelsLastDepthwiseTile, _ rows: SlidingRows, _ position: Int, _ channel: Int,
    width _: InlineArray<width, Int>.Type, ratio _: InlineArray<ratio, Int>.Type
  ) -> (Sums, Sums) {
    let step = rows.tapStep
    var source = tile.input + (channel &+ position &* tile.positionStride &+ rows.firstOffset)
    var weightRow = tile.weights + (channel &+ rows.firstWeights)
    var a = zeroSums
    var b = zeroSums
    for _ in 0..<rows.count {
      for j in 0..<width {
        let weight = weightRow + j &* tile.weightStride
        accumulate(&a, VectorAccess.load(weight), source, tap: j, step, ratio)
        accumulate(&b, VectorAccess.load(weight + lanes), source + lanes, tap: j, step, ratio)
      }
      source += rows.offsetStep
      weightRow += rows.weightStep
    }
    prefetchLastRow(after: source - rows.offsetStep, width: width, step: step, ratio: ratio, blocks: 2)
    return (a, b)
  }

  /// Tap `tap` of six positions whose row starts at `row`: position `k` reads `(tap + ratio · k) · step`
  /// floats on. Written as one multiple of `step`, the unrolled row's equal addresses are visibly equal.
  @inline(__always)
  static func accumulate(
    _ sums: inout Sums, _ weight: SIMD16<Float>, _ row: UnsafePointer<Float>, tap: Int, _ step: Int, _ ratio: Int
  ) {
    VectorArithmetic.multiplyAdd(&sums.0, weight, VectorAccess.load(row + tap &* step))
    VectorArithmetic.multiplyAdd(&sums.1, weight, VectorAccess.load(row + (tap &+ ratio) &* step))
    VectorArithmetic.multiplyAdd(&sums.2, weight, VectorAccess.load(row + (tap &+ 2 &* ratio) &* step))
    VectorArithmetic.multiplyAdd(&sums.3, weight, VectorAccess.load(row + (tap &+ 3 &* ratio) &* step))
    VectorArithmetic.multiplyAdd(&sums.4, weight, VectorAccess.load(row + (tap &+ 4 &* ratio) &* step))
    VectorArithmetic.multiplyAdd(&sums.5, weight, VectorAccess.load(row + (tap &+ 5 &* ratio) &* step))
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

  /// The GEMM tile of six positions' sums of 16 channels from `channel`, `first` floats into the output.
  @inline(__always)
  static func groupTile(_ tile: ChannelsLastDepthwiseTile, first: Int, channel: Int) -> GemmTile {
    let epilogue = TileEpilogue(
      bias: tile.bias.map { $0 + channel }, biasColumnStride: 1, residual: tile.residual.map { $0 + first },
      residualRowStride: tile.channels, activation: tile.activation)
    return GemmTile(
      depth: tile.tapCount, a: tile.input, b: tile.weights, c: tile.output + first, cRowStride: tile.channels,
      rows: positions, columns: lanes, accumulate: false, epilogue: epilogue)
  }

  /// The epilogue of six full positions' sums, straight from the registers where it can.
  @inline(__always)
  static func finishSix(
    _ sums: Sums, _ tile: ChannelsLastDepthwiseTile, position: Int, channel: Int
  ) {
    let first = position &* tile.channels &+ channel
    let gemmTile = groupTile(tile, first: first, channel: channel)
    if let whole = WholeTileStore(gemmTile, panels: 1) {
      whole.store(sums, panel: 0)
      return
    }
    GemmMicrokernel6x16.finish(sums, gemmTile)
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
