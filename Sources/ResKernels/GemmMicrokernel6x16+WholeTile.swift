extension GemmMicrokernel6x16 {
  /// The six rows' sums of a finished tile.
  typealias Sums = (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)

  /// Stores a whole tile (all `mr` rows and `nr` columns, C overwritten) whose epilogue needs no scaling and
  /// whose activation is piecewise linear (identity, ReLU, clip), straight from the registers: each row's sum
  /// plus its bias (broadcast per row, or a vector per column) and its residual row, through the activation,
  /// into C. Returns false, having done nothing, for any other tile; `finish` then handles it.
  ///
  /// `finish` serves every tile by storing the six sums to the stack and making one pass over them per
  /// epilogue step. On MobileNetV2's 1×1 convolutions (reductions of 16–160 steps) those passes were an
  /// eighth of the whole network's time: a fifth of each GEMM. The arithmetic here is the same, in the same
  /// order (bias, residual, activation), so a tile gives bit-identical results on either path.
  ///
  /// A later K block's tiles (`accumulate`) stay on `finish`: adding C's rows here as well made MobileNetV2
  /// 8 % slower on one thread (minima of eight alternating rounds, 10.83 → 11.83 ms) and ViT-tiny slower in an
  /// earlier trial, the larger inlined finish costing the reduction loop more than it saved.
  /// Stores a finished tile's six sums: from the registers when `storeWholeTile` can, through `finish`'s
  /// passes otherwise. The wider kernels store each 16-column panel of their tiles this way.
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

  @inline(__always)
  static func storeWholeTile(_ sums: Sums, _ tile: GemmTile) -> Bool {
    guard tile.rows == mr, tile.columns == nr, !tile.accumulate else { return false }
    let epilogue = tile.epilogue ?? TileEpilogue()
    guard epilogue.alpha == 1, epilogue.biasScale == 1 else { return false }
    switch epilogue.activation {
    case .identity:
      store(sums, tile, epilogue) { $0 }
    case .relu:
      store(sums, tile, epilogue) { $0.replacing(with: 0, where: $0 .< 0) }
    case .clip(let low, let high):
      store(sums, tile, epilogue) { value in
        let raised = value.replacing(with: low, where: value .< low)
        return raised.replacing(with: high, where: raised .> high)
      }
    case .leakyRelu, .sigmoid, .tanh, .hardSigmoid, .hardSwish, .silu, .gelu, .geluTanh, .thresholdedRelu,
      .scaledTanh, .affine, .elu, .softsign, .softplus, .erf, .sqrt:
      return false
    }
    return true
  }

  @inline(__always)
  private static func store(
    _ sums: Sums, _ tile: GemmTile, _ epilogue: TileEpilogue, _ activation: (SIMD16<Float>) -> SIMD16<Float>
  ) {
    storeRow(sums.0, 0, tile, epilogue, activation)
    storeRow(sums.1, 1, tile, epilogue, activation)
    storeRow(sums.2, 2, tile, epilogue, activation)
    storeRow(sums.3, 3, tile, epilogue, activation)
    storeRow(sums.4, 4, tile, epilogue, activation)
    storeRow(sums.5, 5, tile, epilogue, activation)
  }

  @inline(__always)
  private static func storeRow(
    _ sum: SIMD16<Float>, _ row: Int, _ tile: GemmTile, _ epilogue: TileEpilogue,
    _ activation: (SIMD16<Float>) -> SIMD16<Float>
  ) {
    var value = sum
    if let bias = epilogue.bias {
      let rowBias = bias + row * epilogue.biasRowStride
      value += epilogue.biasColumnStride == 0 ? SIMD16<Float>(repeating: rowBias[0]) : VectorAccess.load(rowBias)
    }
    if let residual = epilogue.residual {
      value += VectorAccess.load(residual + row * epilogue.residualRowStride)
    }
    VectorAccess.store(activation(value), tile.c + row * tile.cRowStride)
  }
}
