/// How a depthwise kernel walks a tile's taps: each tap's input offset from a window origin and its weight
/// row's offset from the first weight, in the order the tile lists them (the order every position sums in).
protocol DepthwiseTaps {
  func forEach(_ body: (_ input: Int, _ weights: Int) -> Void)
}

extension ChannelsLastDepthwiseMicrokernel {
  /// The taps as the tile lists them.
  struct ListedTaps: DepthwiseTaps {
    let offsets: UnsafePointer<Int>
    let weightRows: UnsafePointer<Int>
    let count: Int
    let weightStride: Int

    init(_ tile: ChannelsLastDepthwiseTile) {
      (offsets, weightRows, count, weightStride) = (tile.taps, tile.tapWeights, tile.tapCount, tile.weightStride)
    }

    @inline(__always)
    func forEach(_ body: (Int, Int) -> Void) {
      for tap in 0..<count { body(offsets[tap], weightRows[tap] &* weightStride) }
    }
  }

  /// A tile's taps as evenly spaced kernel rows of `width` evenly spaced taps, for the row kernels: tap `j`
  /// of row `r` reads `firstOffset + r · offsetStep + j · tapStep` floats from a window origin with the
  /// weight row `firstWeights + r · weightStep + j · weightStride` floats on.
  ///
  /// Why not read each tap's offset from the tap list in the kernel: a load feeding every address of the
  /// tap's multiply-adds made MobileNetV2's 3×3 layers 35–45 % slower (one thread, 128 channels at 56×56:
  /// 16.2 against 11.5 cycles a vector, the same loop with the offsets computed). A 2-D window's interior
  /// rows are always such rows; a 3-D window's rows cross from one depth slice to the next, where their
  /// spacing changes, and such a tile takes the listed-taps kernels instead.
  struct SlidingRows {
    let width: Int
    let count: Int
    let firstOffset: Int
    let offsetStep: Int
    let tapStep: Int
    let firstWeights: Int
    let weightStep: Int
    let weightStride: Int
    /// The position stride in taps (`positionStride = positionsPerTap · tapStep`) when that is 1 or 2 (stride
    /// 1 or 2, dilation 1): the kernel then knows which of a row's loads read the same input vector; 0
    /// otherwise.
    let positionsPerTap: Int

    /// Nil unless `tile.rowTaps` rows of taps cover the tile's list exactly, every row's taps and weights
    /// evenly spaced alike, and the rows evenly spaced both in the input and in the weights.
    init?(_ tile: ChannelsLastDepthwiseTile) {
      let width = tile.rowTaps
      guard width > 1, tile.tapCount >= width, tile.tapCount % width == 0 else { return nil }
      let count = tile.tapCount / width
      let (taps, tapWeights) = (tile.taps, tile.tapWeights)
      let tapStep = taps[1] &- taps[0]
      let offsetStep = count > 1 ? taps[width] &- taps[0] : 0
      let weightRowStep = count > 1 ? tapWeights[width] &- tapWeights[0] : 0
      for row in 0..<count {
        for j in 0..<width {
          let tap = row &* width &+ j
          guard taps[tap] == taps[0] &+ row &* offsetStep &+ j &* tapStep,
            tapWeights[tap] == tapWeights[0] &+ row &* weightRowStep &+ j
          else { return nil }
        }
      }
      self.width = width
      self.count = count
      self.firstOffset = taps[0]
      self.offsetStep = offsetStep
      self.tapStep = tapStep
      self.firstWeights = tapWeights[0] &* tile.weightStride
      self.weightStep = weightRowStep &* tile.weightStride
      weightStride = tile.weightStride
      positionsPerTap =
        tile.positionStride == tapStep ? 1 : tile.positionStride == 2 &* tapStep && tapStep != 0 ? 2 : 0
    }
  }

  /// `SlidingRows` of a width known when compiling, so that walking a row's taps is unrolled.
  struct RowsOfWidth<let width: Int>: DepthwiseTaps {
    let rows: SlidingRows

    @inline(__always)
    func forEach(_ body: (Int, Int) -> Void) {
      var (offset, weights) = (rows.firstOffset, rows.firstWeights)
      for _ in 0..<rows.count {
        for j in 0..<width { body(offset &+ j &* rows.tapStep, weights &+ j &* rows.weightStride) }
        offset &+= rows.offsetStep
        weights &+= rows.weightStep
      }
    }
  }
}
