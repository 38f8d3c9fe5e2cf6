extension GemmMicrokernel6x16 {
  /// The tile of a single column: a matrix-vector product, the six rows of A on the lanes of one 8-lane
  /// vector and one multiply-add per reduction step. Such a tile is the last column panel of a GEMM over a
  /// 7×7 plane (49 = 3·16 + 1: the stage-4 1×1 convolutions of ResNet, DenseNet and MobileNetV2), where
  /// `runLowerHalf` spent six multiply-adds per step on one valid column, half a full tile's work.
  ///
  /// Row `i` of A is read at `rows.i[s·step]` for reduction step `s`, as in `runLowerHalf`. A packed panel
  /// (`packed`: the six rows of a step side by side) is loaded eight floats at a time, two of them the next
  /// step's, whose lanes are never stored; the last step is gathered instead, since a load there would reach
  /// past the panel. A's rows in place are gathered every step. The lanes do the same arithmetic either way:
  /// four chains over the steps `s ≡ j (mod 4)`, added as `(c0 + c1) + (c2 + c3)`, so both layouts give
  /// bit-identical results, and the tile is a single column on any thread count (splits fall on panel
  /// boundaries).
  @inline(__always)
  static func runSingleColumn(_ tile: GemmTile, rows a: RowPointers, step: Int, packed: Bool) {
    var c0 = SIMD8<Float>()
    var c1 = SIMD8<Float>()
    var c2 = SIMD8<Float>()
    var c3 = SIMD8<Float>()
    let depth = tile.depth
    let b = tile.b
    let nr = Self.nr
    /// Step `s` of the six rows (lanes 6 and 7 unspecified).
    @inline(__always)
    func column(_ s: Int) -> SIMD8<Float> {
      if packed && s + 1 < depth {
        return UnsafeRawPointer(a.0 + s &* step).loadUnaligned(as: SIMD8<Float>.self)
      }
      let index = s &* step
      return SIMD8(a.0[index], a.1[index], a.2[index], a.3[index], a.4[index], a.5[index], 0, 0)
    }
    var s = 0
    while s + 4 <= depth {
      VectorArithmetic.multiplyAdd(&c0, b[s &* nr], column(s))
      VectorArithmetic.multiplyAdd(&c1, b[(s &+ 1) &* nr], column(s &+ 1))
      VectorArithmetic.multiplyAdd(&c2, b[(s &+ 2) &* nr], column(s &+ 2))
      VectorArithmetic.multiplyAdd(&c3, b[(s &+ 3) &* nr], column(s &+ 3))
      s &+= 4
    }
    if s < depth { VectorArithmetic.multiplyAdd(&c0, b[s &* nr], column(s)) }
    if s + 1 < depth { VectorArithmetic.multiplyAdd(&c1, b[(s &+ 1) &* nr], column(s &+ 1)) }
    if s + 2 < depth { VectorArithmetic.multiplyAdd(&c2, b[(s &+ 2) &* nr], column(s &+ 2)) }
    // Constants, not the variables, as in `run`.
    let sums = (c0 + c1) + (c2 + c3)
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 6) { buffer in
      let rows = buffer.baseAddress!
      for row in 0..<6 {
        var lanes = SIMD16<Float>()
        lanes[0] = sums[row]
        rows[row] = lanes
      }
      finish(rows, tile)
    }
  }
}
