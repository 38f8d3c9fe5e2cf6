/// Stores a whole tile of six rows × one, two or four 16-column panels (C overwritten) straight from its
/// sums, when the epilogue is a bias (per column or per row), an optional residual and a clip (identity and
/// ReLU are clips with infinite bounds): nearly every tile of a convolution's or a MatMul's GEMM. Any other
/// activation (SiLU, GELU...) is applied to a panel's six rows at once after them (`storeActivated`), on
/// whole panels only.
///
/// `GemmMicrokernel6x16.finish` served each 16-column panel on its own, and the compiler kept it out of line
/// (`@inline(__always)` gives way in large callers; `@_transparent` here does not): every panel paid a call
/// with its six sums passed through the stack, and loaded the bias again for each row. MobileNetV2's 1×1
/// layers reduce over 16–160 steps, so a tile's multiply-adds were followed by as many cycles again of
/// storing: its 16→96 expansion at 112×112 took 216 cycles per 6 × 32 tile against 96 of multiply-adds,
/// 0.349 ms; stored here, 0.194. The bias vectors are loaded once per tile.
///
/// The arithmetic is `finish`'s, in its order (bias, residual, activation; the clip compares and blends, so
/// NaN and −0 pass as they do there), so the bits are the same on either path.
struct WholeTileStore {
  let c: UnsafeMutablePointer<Float>
  let cRowStride: Int
  let residual: UnsafePointer<Float>?
  let residualRowStride: Int
  /// A per-column bias (one vector per panel, the same for every row)...
  let columnBias: UnsafePointer<Float>?
  /// ...or a per-row bias, a scalar per row `rowBiasStride` floats apart.
  let rowBias: UnsafePointer<Float>?
  let rowBiasStride: Int
  let low: SIMD16<Float>
  let high: SIMD16<Float>
  /// Add what C holds first (a later K block), as `finish` does before the epilogue.
  let accumulate: Bool
  /// An activation that is not a clip (SiLU, sigmoid, GELU...), applied to a panel's six rows at once after
  /// the bias and residual (`storeActivated`); nil for a clip, applied in the registers.
  let activation: PointwiseFunction?

  /// The store of `tile` when it is whole (six rows, `panels × 16` columns, C overwritten) and its epilogue
  /// is one this path covers; nil otherwise.
  @_transparent
  init?(_ tile: GemmTile, panels: Int, accumulates: Bool = false) {
    self.init(tile, columns: panels &* 16, accumulates: accumulates)
  }

  /// The same for a tile of `columns` columns: whole panels, and a last half panel when `columns` leaves 8
  /// over (`storeLowerHalf`).
  @_transparent
  init?(_ tile: GemmTile, columns: Int, accumulates: Bool = false) {
    guard tile.rows == 6, tile.columns == columns, !tile.accumulate || accumulates else { return nil }
    let epilogue = tile.epilogue ?? TileEpilogue()
    guard epilogue.alpha == 1, epilogue.biasScale == 1 else { return nil }
    let bounds = epilogue.activation.clipBounds
    // Any other activation on whole panels only (its vector loop takes 16 lanes).
    guard bounds != nil || columns % 16 == 0 else { return nil }
    let (low, high) = bounds ?? (-.infinity, .infinity)
    activation = bounds == nil ? epilogue.activation : nil
    var columnBias: UnsafePointer<Float>? = nil
    var rowBias: UnsafePointer<Float>? = nil
    if let bias = epilogue.bias {
      if epilogue.biasColumnStride == 0 {
        rowBias = bias
      } else if epilogue.biasColumnStride == 1 && epilogue.biasRowStride == 0 {
        columnBias = bias
      } else {
        return nil
      }
    }
    self.columnBias = columnBias
    self.rowBias = rowBias
    rowBiasStride = epilogue.biasRowStride
    c = tile.c
    cRowStride = tile.cRowStride
    accumulate = tile.accumulate
    residual = epilogue.residual
    residualRowStride = epilogue.residualRowStride
    self.low = SIMD16(repeating: low)
    self.high = SIMD16(repeating: high)
  }

  /// Panel `panel`'s six sums, bias, residual and clip applied, into C. A column bias is loaded once for
  /// the six rows.
  @_transparent
  func store(_ sums: GemmMicrokernel6x16.Sums, panel: Int) {
    if let activation {
      // Hard swish and SiLU in registers (`RegisterActivation`; EfficientNet's and MobileNetV3's 1x1 layers),
      // any other activation through a buffer.
      switch activation {
      case .hardSwish: store(sums, panel: panel, HardSwishInRegisters())
      case .silu: store(sums, panel: panel, SiLUInRegisters())
      default:
        withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 6) { rows in
          let rows = rows.baseAddress!
          (rows[0], rows[1], rows[2], rows[3], rows[4], rows[5]) = sums
          storeActivated(rows, panel: panel, activation)
        }
      }
      return
    }
    let bias = VectorAccess.load(columnBias, offset: panel &* 16)
    store(sums.0, row: 0, panel: panel, bias)
    store(sums.1, row: 1, panel: panel, bias)
    store(sums.2, row: 2, panel: panel, bias)
    store(sums.3, row: 3, panel: panel, bias)
    store(sums.4, row: 4, panel: panel, bias)
    store(sums.5, row: 5, panel: panel, bias)
  }

  /// One row of a panel. No bias adds nothing (adding zero would turn −0 into +0, which `finish` does not).
  @_transparent
  func store(_ sum: SIMD16<Float>, row: Int, panel: Int, _ bias: SIMD16<Float>) {
    var value = sum
    let line = c + (row &* cRowStride &+ panel &* 16)
    if accumulate { value += VectorAccess.load(line) }
    if columnBias != nil {
      value += bias
    } else if let rowBias {
      value += rowBias[row &* rowBiasStride]
    }
    let column = panel &* 16
    if let residual {
      value += VectorAccess.load(residual + (row &* residualRowStride &+ column))
    }
    let raised = value.replacing(with: low, where: value .< low)
    VectorAccess.store(raised.replacing(with: high, where: raised .> high), line)
  }
}

extension WholeTileStore {
  /// Panel `panel`'s six rows with `Activation` applied in registers: `storeActivated`'s arithmetic, in its
  /// order, without its buffer.
  @inline(__always)
  func store<Activation: RegisterActivation>(_ sums: GemmMicrokernel6x16.Sums, panel: Int, _ activation: Activation) {
    let column = panel &* 16
    let bias = VectorAccess.load(columnBias, offset: column)
    let prepared = activation.prepared
    store(sums.0, row: 0, column: column, bias, prepared, Activation.self)
    store(sums.1, row: 1, column: column, bias, prepared, Activation.self)
    store(sums.2, row: 2, column: column, bias, prepared, Activation.self)
    store(sums.3, row: 3, column: column, bias, prepared, Activation.self)
    store(sums.4, row: 4, column: column, bias, prepared, Activation.self)
    store(sums.5, row: 5, column: column, bias, prepared, Activation.self)
  }

  @inline(__always)
  private func store<Activation: RegisterActivation>(
    _ sum: SIMD16<Float>, row: Int, column: Int, _ bias: SIMD16<Float>, _ prepared: Activation.Prepared,
    _: Activation.Type
  ) {
    let line = c + (row &* cRowStride &+ column)
    var value = sum
    if accumulate { value += VectorAccess.load(line) }
    if columnBias != nil {
      value += bias
    } else if let rowBias {
      value += rowBias[row &* rowBiasStride]
    }
    if let residual { value += VectorAccess.load(residual + (row &* residualRowStride &+ column)) }
    VectorAccess.store(Activation.apply(prepared, value), line)
  }

  /// Panel `panel`'s six rows with an activation that is not a clip: C (when accumulating), bias and
  /// residual added in `store(_:row:panel:_:)`'s order, then the activation's vector loop on the six rows at
  /// once, as `GemmMicrokernel6x16.finish` applies it (the same bits), and whole-vector stores. That finish
  /// loaded and stored each row as a partial vector of the tile's runtime column count: EfficientNet's 16→96
  /// expansion at 112×112 with SiLU took 0.81 ms against 0.20 with ReLU6.
  @inline(never)
  func storeActivated(_ rows: UnsafeMutablePointer<SIMD16<Float>>, panel: Int, _ activation: PointwiseFunction) {
    let column = panel &* 16
    let bias = VectorAccess.load(columnBias, offset: column)
    for row in 0..<6 {
      let line = c + (row &* cRowStride &+ column)
      var value = rows[row]
      if accumulate { value += VectorAccess.load(line) }
      if columnBias != nil {
        value += bias
      } else if let rowBias {
        value += rowBias[row &* rowBiasStride]
      }
      if let residual { value += VectorAccess.load(residual + (row &* residualRowStride &+ column)) }
      rows[row] = value
    }
    activation.apply(vectors: rows, count: 6)
    for row in 0..<6 { VectorAccess.store(rows[row], c + (row &* cRowStride &+ column)) }
  }

  /// The lower 8 columns of panel `panel`: the six rows' 8-lane sums, bias, residual and clip applied, as
  /// `finish` computes a tile of 8 columns (its upper lanes are never stored).
  @_transparent
  func storeLowerHalf(_ sums: HalfSums, panel: Int) {
    let bias = VectorAccess.loadLower(columnBias, offset: panel &* 16)
    storeLowerHalf(sums.0, row: 0, panel: panel, bias)
    storeLowerHalf(sums.1, row: 1, panel: panel, bias)
    storeLowerHalf(sums.2, row: 2, panel: panel, bias)
    storeLowerHalf(sums.3, row: 3, panel: panel, bias)
    storeLowerHalf(sums.4, row: 4, panel: panel, bias)
    storeLowerHalf(sums.5, row: 5, panel: panel, bias)
  }

  typealias HalfSums = (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)

  @_transparent
  func storeLowerHalf(_ sum: SIMD8<Float>, row: Int, panel: Int, _ bias: SIMD8<Float>) {
    var value = sum
    let line = c + (row &* cRowStride &+ panel &* 16)
    if accumulate { value += VectorAccess.loadLower(UnsafePointer(line)) }
    if columnBias != nil {
      value += bias
    } else if let rowBias {
      value += rowBias[row &* rowBiasStride]
    }
    let column = panel &* 16
    if let residual {
      value += VectorAccess.loadLower(residual + (row &* residualRowStride &+ column))
    }
    let (low, high) = (lowHalf(self.low), lowHalf(self.high))
    let raised = value.replacing(with: low, where: value .< low)
    VectorAccess.storeLower(raised.replacing(with: high, where: raised .> high), line)
  }

  @_transparent
  func lowHalf(_ vector: SIMD16<Float>) -> SIMD8<Float> { vector.lowHalf }
}

extension PointwiseFunction {
  /// The bounds of an activation that is a clip (identity and ReLU with infinite ones), else nil: the
  /// activations a tile applies in registers as it stores (and `GemmDriver` runs as strips for that).
  @inline(__always)
  public var clipBounds: (Float, Float)? {
    switch self {
    case .identity: (-.infinity, .infinity)
    case .relu: (0, .infinity)
    case .clip(let low, let high): (low, high)
    case .leakyRelu, .sigmoid, .tanh, .hardSigmoid, .hardSwish, .silu, .mish, .gelu, .geluTanh, .thresholdedRelu,
      .scaledTanh, .affine, .elu, .softsign, .softplus, .erf, .sqrt, .abs, .neg, .exp, .log, .ceil, .floor, .round,
      .reciprocal, .sin, .cos, .requantize:
      nil
    }
  }
}
