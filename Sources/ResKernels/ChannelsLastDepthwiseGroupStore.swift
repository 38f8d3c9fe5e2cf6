extension ChannelsLastDepthwiseMicrokernel {
  /// The epilogue and stores of a group of six positions × 16 channels when the activation is a clip
  /// (identity and ReLU included): bias, residual and clip applied to the sums in their registers, in
  /// `WholeTileStore`'s order and arithmetic, so the bits are those of `finishSix`.
  ///
  /// Built once per tile and passed to the row kernels: `finishSix` built a `WholeTileStore` per group and
  /// stayed out of line, taking the group's sums through the stack, a third of `runTwelveRows`' time on a
  /// 32-channel 112×112 layer. A few scalars and pointers, so passing it costs no copy.
  struct GroupStore {
    let output: UnsafeMutablePointer<Float>
    let bias: UnsafePointer<Float>?
    let residual: UnsafePointer<Float>?
    /// Floats between consecutive positions of the output and the residual.
    let positionStride: Int
    let low: Float
    let high: Float

    /// Nil when the tile's activation is not a clip (it then takes `finishSix`).
    @inline(__always)
    init?(_ tile: ChannelsLastDepthwiseTile) {
      guard let (low, high) = tile.activation.clipBounds else { return nil }
      (output, bias, residual, positionStride) = (tile.output, tile.bias, tile.residual, tile.channels)
      (self.low, self.high) = (low, high)
    }

    /// Six positions' sums from `position`, 16 channels from `channel`.
    @_transparent
    func store(_ sums: Sums, position: Int, channel: Int) {
      let first = position &* positionStride &+ channel
      // A plain vector, zero without a bias: an optional vector was kept in general registers and rebuilt,
      // lane by lane, for each position.
      let vector = bias.map { VectorAccess.load($0 + channel) } ?? SIMD16<Float>()
      let (low, high) = (SIMD16<Float>(repeating: self.low), SIMD16<Float>(repeating: self.high))
      store(sums.0, at: first, vector, low, high)
      store(sums.1, at: first &+ positionStride, vector, low, high)
      store(sums.2, at: first &+ 2 &* positionStride, vector, low, high)
      store(sums.3, at: first &+ 3 &* positionStride, vector, low, high)
      store(sums.4, at: first &+ 4 &* positionStride, vector, low, high)
      store(sums.5, at: first &+ 5 &* positionStride, vector, low, high)
    }

    /// One position: no bias adds nothing (adding zero would turn −0 into +0, which `finish` does not).
    @_transparent
    func store(
      _ sum: SIMD16<Float>, at offset: Int, _ bias: SIMD16<Float>, _ low: SIMD16<Float>, _ high: SIMD16<Float>
    ) {
      var value = sum
      if self.bias != nil { value += bias }
      if let residual { value += VectorAccess.load(residual + offset) }
      let raised = value.replacing(with: low, where: value .< low)
      VectorAccess.store(raised.replacing(with: high, where: raised .> high), output + offset)
    }
  }
}
