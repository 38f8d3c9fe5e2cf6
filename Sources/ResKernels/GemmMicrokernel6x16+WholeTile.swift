extension GemmMicrokernel6x16 {
  /// The six rows' sums of a finished tile.
  typealias Sums = (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)

  /// Stores a finished tile's six sums: from the registers when `storeWholeTile` can, through `finish`'s
  /// passes over a copy in memory otherwise. The wide kernels store each 16-column panel of a partial tile
  /// this way (the 6 × 32 and 6 × 64 ones a whole tile through `WholeTileStore` directly).
  ///
  /// The compiler keeps this out of line in the larger kernels, so a panel stored here pays a call with its
  /// sums passed through the stack; the kernels whose tiles were measured faster for it store whole tiles
  /// through `WholeTileStore` themselves (forcing it inline everywhere made the transformer encoder's packed
  /// 12 × 32 tiles and the 7×7 stems' 6 × 64 grid tiles slower: their loops grew by the four inlined stores).
  @inline(__always)
  static func finish(_ sums: Sums, _ tile: GemmTile) {
    if storeWholeTile(sums, tile) { return }
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 6) { buffer in
      let rows = buffer.baseAddress!
      rows[0] = sums.0
      rows[1] = sums.1
      rows[2] = sums.2
      rows[3] = sums.3
      rows[4] = sums.4
      rows[5] = sums.5
      finish(rows, tile)
    }
  }

  /// Stores a whole tile (all `mr` rows and `nr` columns, C overwritten) whose epilogue `WholeTileStore`
  /// covers (a bias per row or per column, a residual, a clip: identity, ReLU, clip) straight from the
  /// registers. Returns false, having done nothing, for any other tile; `finish` then handles it.
  ///
  /// `finish(rows:tile:)` serves every tile by storing the six sums to the stack and making one pass over
  /// them per epilogue step. On MobileNetV2's 1×1 convolutions (reductions of 16–160 steps) those passes
  /// were an eighth of the whole network's time: a fifth of each GEMM. The arithmetic is the same, in the
  /// same order (bias, residual, activation), so a tile gives bit-identical results on either path.
  ///
  /// A later K block's tiles (`accumulate`) stay on `finish`: adding C's rows here as well made MobileNetV2
  /// 8 % slower on one thread (minima of eight alternating rounds, 10.83 → 11.83 ms) and ViT-tiny slower in an
  /// earlier trial, the larger inlined finish costing the reduction loop more than it saved.
  @inline(__always)
  static func storeWholeTile(_ sums: Sums, _ tile: GemmTile) -> Bool {
    guard let whole = WholeTileStore(tile, panels: 1) else { return false }
    whole.store(sums, panel: 0)
    return true
  }
}
