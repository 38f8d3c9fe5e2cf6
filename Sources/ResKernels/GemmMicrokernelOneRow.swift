/// The last row of a block whose row count leaves one past its six-row tiles, A read in place: one row of A
/// against the one to four 16-column B panels of the six-row tile it replaces.
///
/// A 7×7 plane has 49 positions: eight six-row tiles and one row. The six-row kernels compute a one-row tile
/// at full cost (the missing rows repeat the last), so every 7×7 layer did 54 rows of work for 49 — MobileNetV2's
/// 7×7 projections ran 5-12 % behind onnxruntime's, ResNet-50's layer 4 10 % behind its own 14×14 layers.
/// Here the row costs one broadcast and `panels` loads and multiply-adds per reduction step.
///
/// Each output is the same chain as in the six-row kernels: a sum from zero, one multiply-add per reduction
/// step in order, then `GemmMicrokernel6x16.finish`'s accumulation, epilogue and store. A lane's result does
/// not depend on the vector width it is computed in, so the row matches the six-row kernels' full-width and
/// half-width paths bit for bit, and results stay independent of where a split puts the row.
public enum GemmMicrokernelOneRow {
  public static let panelWidth = GemmMicrokernel6x16.nr
  /// The most panels a tile may span.
  public static let maximumPanels = 4

  /// Whether a tile of `columns` columns is summed here exactly as the six-row kernels sum it: they take a
  /// last panel of a single column on a path that splits the reduction into four chains
  /// (`GemmMicrokernel6x16.runSingleColumn`), so such a tile stays with them.
  public static func matchesSixRowKernels(columns: Int) -> Bool {
    columns > 0 && columns <= maximumPanels * panelWidth && columns % panelWidth != 1
  }

  /// Computes `tile`: one row of A in place at `tile.a`, at most `maximumPanels · 16` columns.
  public static func run(_ tile: GemmTile) {
    switch (tile.columns + panelWidth - 1) / panelWidth {
    case 1: run(tile, as: InlineArray<1, SIMD16<Float>>.self)
    case 2: run(tile, as: InlineArray<2, SIMD16<Float>>.self)
    case 3: run(tile, as: InlineArray<3, SIMD16<Float>>.self)
    default: run(tile, as: InlineArray<4, SIMD16<Float>>.self)
    }
  }

  /// `run` for a tile of exactly `count` panels (the last possibly partial); only those panels of B are read.
  @inline(__always)
  static func run<let count: Int>(_ tile: GemmTile, as: InlineArray<count, SIMD16<Float>>.Type) {
    var sums = InlineArray<count, SIMD16<Float>>(repeating: SIMD16<Float>())
    let a = tile.a
    let panelStride = tile.bPanelStride
    var b = tile.b
    var step = 0
    while step < tile.depth {
      let x = a[step]
      for panel in 0..<count {
        VectorArithmetic.multiplyAdd(&sums[panel], x, VectorAccess.load(b + panel &* panelStride))
      }
      b += panelWidth
      step &+= 1
    }
    tile.finishPanels(sums)
  }
}

extension GemmTile {
  /// One row's sums, a vector per 16-column panel, finished and stored panel by panel by
  /// `GemmMicrokernel6x16.finish` (accumulation, epilogue, partial last panel), as the six-row kernels do.
  @inline(__always)
  func finishPanels<let count: Int>(_ sums: InlineArray<count, SIMD16<Float>>) {
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 1) { buffer in
      for index in 0..<count {
        guard let part = panel(index) else { break }
        buffer[0] = sums[index]
        GemmMicrokernel6x16.finish(buffer.baseAddress!, part)
      }
    }
  }

  /// The 16-column panel `panel` of a multi-panel tile: B `panel` panel strides on, C, bias and residual
  /// `16·panel` columns on; nil past the tile's columns.
  func panel(_ panel: Int) -> GemmTile? {
    let first = panel * GemmMicrokernelOneRow.panelWidth
    guard first < columns else { return nil }
    var part = self
    part.b = b + panel * bPanelStride
    part.c = c + first
    part.columns = Swift.min(GemmMicrokernelOneRow.panelWidth, columns - first)
    if var epilogue {
      epilogue.bias = epilogue.bias.map { $0 + first * epilogue.biasColumnStride }
      epilogue.residual = epilogue.residual.map { $0 + first }
      part.epilogue = epilogue
    }
    return part
  }
}
