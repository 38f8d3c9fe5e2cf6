extension ChannelsLastDepthwiseMicrokernel {
  /// The epilogue and stores of a group of six positions × 16 channels: bias, residual and `Activation`
  /// applied to the sums in their registers, in `WholeTileStore`'s order and arithmetic (its clip, or the
  /// function `PointwiseFunction.apply(vectors:count:)` applies to a tile's vectors), so the bits are those of
  /// `finishSix`.
  ///
  /// Built once per tile and passed to the row kernels: `finishSix` built a `WholeTileStore` per group and
  /// stayed out of line, taking the group's sums through the stack (a third of `runTwelveRows`' time on a
  /// 32-channel 112×112 layer), and any activation but a clip went on through a buffer and a call per group
  /// (MobileNetV3's hard-swish layers). A few scalars and pointers, so passing it costs no copy.
  struct GroupStore<Activation: RegisterActivation> {
    let output: UnsafeMutablePointer<Float>
    let bias: UnsafePointer<Float>?
    let residual: UnsafePointer<Float>?
    /// Floats between consecutive positions of the output and the residual.
    let positionStride: Int
    let activation: Activation

    @inline(__always)
    init(_ tile: ChannelsLastDepthwiseTile, _ activation: Activation) {
      (output, bias, residual, positionStride) = (tile.output, tile.bias, tile.residual, tile.channels)
      self.activation = activation
    }

    /// Six positions' sums from `position`, 16 channels from `channel`.
    @_transparent
    func store(_ sums: Sums, position: Int, channel: Int) {
      let first = position &* positionStride &+ channel
      // A plain vector, zero without a bias: an optional vector was kept in general registers and rebuilt,
      // lane by lane, for each position.
      let vector = VectorAccess.load(bias, offset: channel)
      let activation = activation.prepared
      store(sums.0, at: first, vector, activation)
      store(sums.1, at: first &+ positionStride, vector, activation)
      store(sums.2, at: first &+ 2 &* positionStride, vector, activation)
      store(sums.3, at: first &+ 3 &* positionStride, vector, activation)
      store(sums.4, at: first &+ 4 &* positionStride, vector, activation)
      store(sums.5, at: first &+ 5 &* positionStride, vector, activation)
    }

    /// One position: no bias adds nothing (adding zero would turn −0 into +0, which `finish` does not).
    @_transparent
    func store(_ sum: SIMD16<Float>, at offset: Int, _ bias: SIMD16<Float>, _ activation: Activation.Prepared) {
      var value = sum
      if self.bias != nil { value += bias }
      if let residual { value += VectorAccess.load(residual + offset) }
      VectorAccess.store(Activation.apply(activation, value), output + offset)
    }
  }
}
