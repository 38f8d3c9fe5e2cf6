import ResCPU

/// One call of a GEMM microkernel: `C[0..<rows, 0..<columns] (+)= A·B` for one `MR × NR` register tile.
///
/// `b` is a packed panel (see `PanelPacking`): for each of the `depth` reduction steps, `NR` consecutive
/// values of B's row, zero-padded past the valid columns, so the inner loop never branches on the edge. `a`
/// is either a packed panel of the same kind (`MR` values of A's column per step, zero-padded past the valid
/// rows) or, for the kernels that read A in place (`GemmALayout.rows`), A's first row of the tile, its rows
/// `aRowStride` floats apart and contiguous along the reduction. Only `rows × columns` elements of C are read
/// or written, and an in-place A only at its `rows` valid rows.
public struct GemmTile {
  /// The length of the reduction for this call (one K block).
  public var depth: Int
  public var a: UnsafePointer<Float>
  /// The distance in floats between A's rows when A is read in place; ignored for a packed A.
  public var aRowStride: Int
  /// For a kernel spanning two packed 6-row panels of A (`GemmMicrokernel12x32`): floats from the first panel
  /// to the second. Ignored by other kernels.
  public var aPanelStride: Int
  public var b: UnsafePointer<Float>
  /// For a kernel spanning two 16-column panels (`GemmMicrokernel6x32`): floats from the first panel to the
  /// second. Ignored by one-panel kernels.
  public var bPanelStride: Int
  /// C's element (0, 0) for this tile; rows are `cRowStride` floats apart, columns contiguous.
  public var c: UnsafeMutablePointer<Float>
  public var cRowStride: Int
  /// Valid rows (`1...MR`) and columns (`1...NR`) of this tile.
  public var rows: Int
  public var columns: Int
  /// Add to what C holds (a later K block) instead of overwriting it.
  public var accumulate: Bool
  /// Applied to the finished sums: present only on the last K block.
  public var epilogue: TileEpilogue?
  /// B panels a later tile will read, hinted into the second-level cache one 64-byte line per reduction step
  /// by the kernels that take hints (`GemmMicrokernel6x64.runReadingRows`): the next block of prepacked
  /// weights, which would otherwise arrive from memory only when the first tile reading it stalls on it.
  public var prefetch: UnsafePointer<Float>?

  public init(
    depth: Int, a: UnsafePointer<Float>, aRowStride: Int = 0, aPanelStride: Int = 0, b: UnsafePointer<Float>,
    bPanelStride: Int = 0,
    c: UnsafeMutablePointer<Float>, cRowStride: Int, rows: Int, columns: Int, accumulate: Bool,
    epilogue: TileEpilogue?
  ) {
    self.depth = depth
    self.a = a
    self.aRowStride = aRowStride
    self.aPanelStride = aPanelStride
    self.b = b
    self.bPanelStride = bPanelStride
    self.c = c
    self.cRowStride = cRowStride
    self.rows = rows
    self.columns = columns
    self.accumulate = accumulate
    self.epilogue = epilogue
  }
}

extension GemmTile {
  /// The longest whole reduction `prefetchOutput` leaves alone.
  public static let unprefetchedDepth = 32

  /// Hints the cache to fetch the lines of C (and of the residual) this tile touches once its reduction is
  /// done. Issued before the reduction loop, so the fetches overlap it: C's rows are a whole matrix row
  /// apart and the hardware prefetcher does not predict them. A whole reduction of `unprefetchedDepth` steps
  /// or fewer is skipped: its loop is over before the fetches land, and the hints only add to the
  /// tile's cost (MobileNetV2's 1×1 expansions alone, minima of three alternating rounds: 16→96 channels at
  /// 112×112 0.66 → 0.61 ms, 24→144 at 56×56 0.32 → 0.30 ms; 96→576 at 14×14 unchanged). Every line of a row
  /// is hinted, one per 16 floats and the row's last: hinting only the first and the last left the middle
  /// two of a 64-column tile's four (five when unaligned) to stall the epilogue (ResNet-50, one thread,
  /// sixteen alternating rounds: its 1×1 steps 34.04 → 33.70 ms, all steps 62.37 → 61.83).
  @inline(__always)
  func prefetchOutput() {
    guard accumulate || depth > Self.unprefetchedDepth else { return }
    let lastColumn = columns - 1
    for row in 0..<rows {
      let line = c + row * cRowStride
      var column = 0
      while column < lastColumn {
        rescpu_prefetch_for_write(line + column)
        column += 16
      }
      rescpu_prefetch_for_write(line + lastColumn)
    }
    guard let epilogue, let residual = epilogue.residual else { return }
    for row in 0..<rows {
      let line = residual + row * epilogue.residualRowStride
      var column = 0
      while column < lastColumn {
        rescpu_prefetch_for_read(line + column)
        column += 16
      }
      rescpu_prefetch_for_read(line + lastColumn)
    }
  }
}

/// What a GEMM or convolution does to its sums while the tile is still in registers (DESIGN.md §5):
/// `y = activation(alpha·sum + biasScale·bias + residual)`: bias first, then the residual, then the activation.
///
/// Pointers are at this tile's element (0, 0). The bias is read with a row stride and a column stride of 0
/// (broadcast along the row: a convolution's per-channel bias) or 1 (contiguous); the residual has C's layout
/// with its own row stride.
public struct TileEpilogue {
  public var alpha: Float
  public var bias: UnsafePointer<Float>?
  public var biasRowStride: Int
  public var biasColumnStride: Int
  public var biasScale: Float
  public var residual: UnsafePointer<Float>?
  public var residualRowStride: Int
  public var activation: PointwiseFunction

  public init(
    alpha: Float = 1, bias: UnsafePointer<Float>? = nil, biasRowStride: Int = 0, biasColumnStride: Int = 0,
    biasScale: Float = 1, residual: UnsafePointer<Float>? = nil, residualRowStride: Int = 0,
    activation: PointwiseFunction = .identity
  ) {
    self.alpha = alpha
    self.bias = bias
    self.biasRowStride = biasRowStride
    self.biasColumnStride = biasColumnStride
    self.biasScale = biasScale
    self.residual = residual
    self.residualRowStride = residualRowStride
    self.activation = activation
  }

  /// The same epilogue for the tile `rows` rows further down (a twelve-row tile's lower half): its bias and
  /// residual move with it.
  @inline(__always)
  public func movedDown(rows: Int) -> TileEpilogue {
    var moved = self
    moved.bias = bias.map { $0 + rows * biasRowStride }
    moved.residual = residual.map { $0 + rows * residualRowStride }
    return moved
  }

  /// The same epilogue for the tile `columns` columns further right: its bias and residual move with it.
  @inline(__always)
  public func movedRight(columns: Int) -> TileEpilogue {
    var moved = self
    moved.bias = bias.map { $0 + columns * biasColumnStride }
    moved.residual = residual.map { $0 + columns }
    return moved
  }

  /// The epilogue of a tile's first `count` rows (`columns` valid lanes each), in place.
  @inline(__always)
  public func apply(_ rows: UnsafeMutablePointer<SIMD16<Float>>, count: Int, columns: Int) {
    if alpha != 1 {
      for row in 0..<count { rows[row] *= alpha }
    }
    if let bias {
      for row in 0..<count {
        let rowBias = bias + row * biasRowStride
        let values =
          biasColumnStride == 0
          ? SIMD16<Float>(repeating: rowBias[0]) : VectorAccess.loadPartial(rowBias, columns)
        rows[row] += biasScale == 1 ? values : values * biasScale
      }
    }
    if let residual {
      for row in 0..<count { rows[row] += VectorAccess.loadPartial(residual + row * residualRowStride, columns) }
    }
    activation.apply(vectors: rows, count: count)
  }
}
