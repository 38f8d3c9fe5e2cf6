/// The channels-last convolution kernel with a 12 × 16 register tile: twelve output positions (two of the
/// indirection table's six-position tiles) against one 16-channel panel of weights, for builds whose vectors
/// are 512 bits wide.
///
/// A convolution with 16 output channels per group (RegNet's and the widened ResNeXt's grouped 3x3 layers,
/// whose reduction is only 16 channels per tap) cannot fill `IndirectGemmMicrokernel6x32`'s two panels, and
/// on `IndirectGemmMicrokernel6x16` its six sums in flight leave two FMA pipes of four-cycle latency a quarter
/// idle, with a weight load per six multiply-adds. Twelve positions keep twelve sums in flight and halve the
/// weight loads, as `GemmMicrokernel12x16` does for the plain GEMM.
///
/// Every output is the same chain of multiply-adds in the same order as on `IndirectGemmMicrokernel6x16`'s
/// full-width path, and tiles of at most six positions or `GemmMicrokernel6x16.halfWidth` columns go to that
/// kernel, so results do not depend on the kernel or on how a split cuts the positions.
public enum IndirectGemmMicrokernel12x16 {
  public static let positions = 12
  public static let lanes = 16
  /// Positions of each of the two table tiles the kernel reads.
  static let halfPositions = IndirectGemmMicrokernel6x16.positions

  public static func run(_ tile: IndirectGemmTile) {
    guard tile.rows > halfPositions, tile.columns > GemmMicrokernel6x16.halfWidth else {
      IndirectGemmMicrokernel6x16.run(tile.upperPositions)
      if tile.rows > halfPositions { IndirectGemmMicrokernel6x16.run(tile.lowerPositions) }
      return
    }
    let (top, bottom) = (tile.upperPositions, tile.lowerPositions)
    top.gemmTile.prefetchOutput()
    bottom.gemmTile.prefetchOutput()
    // Sixteen channels a tap (a group of 16) take a path without a channel counter: with one, the loop
    // needed a register more than x86-64 has and reloaded the row pointers from the stack every step
    // (load-bound, no faster than six positions).
    let (upper, lower) =
      tile.channels == lanes
      ? sums(tile, top: top, bottom: bottom, channels: lanes) : sums(tile, top: top, bottom: bottom, channels: tile.channels)
    IndirectGemmMicrokernel6x16.finish(upper, top)
    IndirectGemmMicrokernel6x16.finish(lower, bottom)
  }

  typealias Rows = (
    UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
    UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
    UnsafePointer<Float>, UnsafePointer<Float>
  )

  /// The twelve positions' sums over every tap and `channels` channels a tap; sixteen channels are written
  /// out one by one (`sixteenChannels`), any other count is a loop.
  @inline(__always)
  private static func sums(
    _ tile: IndirectGemmTile, top: IndirectGemmTile, bottom: IndirectGemmTile, channels: Int
  ) -> (GemmMicrokernel6x16.Sums, GemmMicrokernel6x16.Sums) {
    var upper = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
    var lower = upper
    let channelStride = tile.taps * lanes
    var upperRows = top.indirection
    var lowerRows = bottom.indirection
    var tapWeights = tile.b
    for _ in 0..<tile.taps {
      let offset = tile.channelOffset
      let rows: Rows = (
        upperRows[0] + offset, upperRows[1] + offset, upperRows[2] + offset, upperRows[3] + offset,
        upperRows[4] + offset, upperRows[5] + offset, lowerRows[0] + offset, lowerRows[1] + offset,
        lowerRows[2] + offset, lowerRows[3] + offset, lowerRows[4] + offset, lowerRows[5] + offset
      )
      if channels == lanes {
        sixteenChannels(&upper, &lower, rows, weights: tapWeights, channelStride: channelStride)
      } else {
        var b = tapWeights
        for channel in 0..<channels {
          step(&upper, &lower, rows, channel, VectorAccess.load(b))
          b += channelStride
        }
      }
      upperRows += halfPositions
      lowerRows += halfPositions
      tapWeights += lanes
    }
    return (upper, lower)
  }

  /// One tap's sixteen channels, written out: the loop, counted even with a constant bound, kept a counter
  /// register that the twelve row pointers needed (LLVM unrolled it only twice and reloaded the pointers).
  @inline(__always)
  private static func sixteenChannels(
    _ upper: inout GemmMicrokernel6x16.Sums, _ lower: inout GemmMicrokernel6x16.Sums, _ rows: Rows,
    weights: UnsafePointer<Float>, channelStride: Int
  ) {
    var b = weights
    @inline(__always) func next(_ channel: Int) {
      step(&upper, &lower, rows, channel, VectorAccess.load(b))
      b += channelStride
    }
    next(0); next(1); next(2); next(3); next(4); next(5); next(6); next(7)
    next(8); next(9); next(10); next(11); next(12); next(13); next(14); next(15)
  }

  /// One channel: twelve multiply-adds of the rows' value of `channel` with the weight vector `bv`.
  @inline(__always)
  private static func step(
    _ upper: inout GemmMicrokernel6x16.Sums, _ lower: inout GemmMicrokernel6x16.Sums, _ rows: Rows, _ channel: Int,
    _ bv: SIMD16<Float>
  ) {
    VectorArithmetic.multiplyAdd(&upper.0, rows.0[channel], bv)
    VectorArithmetic.multiplyAdd(&upper.1, rows.1[channel], bv)
    VectorArithmetic.multiplyAdd(&upper.2, rows.2[channel], bv)
    VectorArithmetic.multiplyAdd(&upper.3, rows.3[channel], bv)
    VectorArithmetic.multiplyAdd(&upper.4, rows.4[channel], bv)
    VectorArithmetic.multiplyAdd(&upper.5, rows.5[channel], bv)
    VectorArithmetic.multiplyAdd(&lower.0, rows.6[channel], bv)
    VectorArithmetic.multiplyAdd(&lower.1, rows.7[channel], bv)
    VectorArithmetic.multiplyAdd(&lower.2, rows.8[channel], bv)
    VectorArithmetic.multiplyAdd(&lower.3, rows.9[channel], bv)
    VectorArithmetic.multiplyAdd(&lower.4, rows.10[channel], bv)
    VectorArithmetic.multiplyAdd(&lower.5, rows.11[channel], bv)
  }
}

extension IndirectGemmTile {
  /// The first six positions of a twelve-position tile: the table's first tile.
  var upperPositions: IndirectGemmTile {
    var half = self
    half.rows = Swift.min(rows, IndirectGemmMicrokernel12x16.halfPositions)
    return half
  }

  /// Positions six and on of a twelve-position tile: the table's next tile (`taps × 6` pointers on), C and
  /// the residual six rows on.
  var lowerPositions: IndirectGemmTile {
    let offset = IndirectGemmMicrokernel12x16.halfPositions
    var half = self
    half.indirection = indirection + taps * offset
    half.c = c + offset * cRowStride
    half.rows = rows - offset
    half.epilogue = epilogue?.movedDown(rows: offset)
    return half
  }
}
