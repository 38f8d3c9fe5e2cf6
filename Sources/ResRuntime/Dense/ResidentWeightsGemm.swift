import ResKernels

/// A GEMM with A read in place and B prepacked, ordered so that each column tile's block of B is read from
/// memory once and then stays in cache while every row of A passes it: the loop a channels-last 1x1
/// convolution runs (A its input positions × channels, B its weights), and a MatMul with constant weights and
/// a row-major A (`MatMulOperator`).
///
/// `GemmDriver` goes row panel by row panel, each across all of B's column tiles over K blocks of up to
/// `GemmDriver.kc` steps: a 6 × 64 tile then re-reads 64–96 KB of B from the second-level cache for every
/// six rows. Here the loops run row block (`rowBlockBytes` of A, kept in the second-level cache) → column
/// tile → K block of at most `maximumDepth` steps → row panels, as onnxruntime's NCHWc pointwise convolution
/// runs its input batches. C is reloaded once per K block, from cache. ResNet-50's channels-last 1x1 steps
/// (Sapphire Rapids, one thread, 12 alternating rounds of the whole network's profile, summed medians):
/// 39.14 → 38.12 and 38.24 → 36.67 ms; two threads 23.00 → 21.92 ms; MobileNetV2's 6.59 → 6.41 ms.
/// Reductions of `GemmDriver.shortDepth` steps or fewer keep `GemmDriver`'s order: their whole B already
/// fits beside A (ResNet-50's 64→256 steps ran 6–15 % slower this way, writing C a column tile at a time);
/// so do those of up to `longDepth` steps whose C outgrows the second-level cache.
///
/// K blocks depend on K alone, and every element is summed in their order by one chain per block whatever
/// kernel, row block or column range computes it, so splitting rows or columns over threads gives
/// bit-identical results.
enum ResidentWeightsGemm {
  /// The longest K block: 512 steps, 128 KB of B for a 64-column tile, held in the second-level cache
  /// beside the row block. Blocks of 128 steps (32 KB, chosen on Sapphire Rapids to stay in its 48 KB
  /// first-level cache) cannot stay in a 32 KB one (AMD Zen 4) beside the rows of A and C streaming past,
  /// so there each block only added a reload and a store of C. On Zen 4, whole-network profiles of the
  /// same plan, alternating rounds, summed step medians, 128 → 512 steps: ResNet-50 one thread
  /// 65.0 → 63.6 ms (8 rounds; 64 steps: 65.0 → 66.3, worse; 2048: like 512), two threads 34.3 → 33.3 ms (14
  /// rounds, its 14x14 1x1 steps 4–10 % faster each), ViT-tiny 25.8 → 25.3 / 19.3 → 18.5 ms; MobileNetV2,
  /// DenseNet-121 and the transformer encoder unchanged. Not measured on a 48 KB first-level cache.
  ///
  /// Where vectors are 256 bits wide the tiles are 16 columns, a quarter of the bytes per step, and the
  /// blocks 1024 steps (64 KB of B): each block fewer reloads and stores of C for the same traffic of B from
  /// the second-level cache. Zen 3 (AVX2, 32 KB first-level cache), paired rounds (`ab_steps.py`), the steps
  /// with 1024 to 2048-step reductions over the others, 512 → 1024 steps: ResNet-50 0.979 (one thread),
  /// 0.982 (two), ViT-tiny's 768-step MatMuls 0.96 / 0.94, MobileNetV2, DenseNet-121 and the encoder even;
  /// 256 steps were 1.056, 2048 like 1024.
  static let maximumDepth = GemmMicrokernel6x32.preferred ? 512 : 1024
  /// Bytes of A per row block: half of a 2 MB second-level cache, so the block is read from there once per
  /// column tile (512 KB measured the same on Zen 4's 1 MB one).
  static let rowBlockBytes = 1 << 20

  /// Whether this order serves an `m × n` product with reduction length `k` (A in place, B prepacked): a
  /// reduction longer than `GemmDriver.shortDepth`, at least one full tile of columns, and more rows than one
  /// tile (fewer are `GemmDriver.isStreaming`'s case), unless the reduction is at most `longDepth` steps and C
  /// does not fit the second-level cache (`outgrowsSecondLevelCache`). Decided on the whole product, never on
  /// the block of C a worker computes: the K blocks differ from `GemmDriver`'s, and every piece of a split must
  /// sum as the whole would.
  static func applies(k: Int, m: Int, n: Int) -> Bool {
    guard k > GemmDriver.shortDepth, n >= GemmDriver.tileRowsKernel.nr, m > GemmDriver.kernel.mr else { return false }
    return k > longDepth || !outgrowsSecondLevelCache(m: m, n: n)
  }

  /// Reductions up to this many steps keep `GemmDriver`'s order when C outgrows the second-level cache.
  ///
  /// This order writes C one column tile at a time: a 64-byte line per row, a row stride apart (2–4 KB on
  /// ResNet-50), every line of C (and of the residual it adds) touched once per tile, in an order the
  /// hardware's stream prefetchers do not follow across pages. Where C stays in the second-level cache that
  /// costs nothing; beyond it each line is a demand miss to the third-level cache, and a short reduction has
  /// too few multiply-adds per line to hide it. `GemmDriver` stores each row panel across a whole block of
  /// columns, runs of contiguous lines. Zen 3 (512 KB L2), paired rounds of the whole network's profile, the
  /// changed steps' time over the unchanged steps' in each pair, median (quartiles): ResNet-50's 14 such 1x1
  /// steps (128-step reductions into 1.6 MB of C at 28x28, 256-step ones into 0.8–1.6 MB at 56x56 and
  /// 14x14) in the host's slow phases (the network 118–126 ms) 0.851 (0.84–0.90) and 0.883 (0.87–0.93) on
  /// one thread, 0.914 (0.90–0.93) on two; in its calm phases (75 ms) 1.038 (1.01–1.06) and 1.048
  /// (1.04–1.05) on one, 0.994 (0.97–1.02) on two. A fifth of 34 ms saved when the caches are contended
  /// against a twentieth of 19 ms lost when they are not. ViT-tiny's feed-forward expansions (192 steps into
  /// 605 KB, also moved) 0.996 (0.99–1.01). Reductions of 512 steps (ResNet-50's layer4 at 7x7) were
  /// 1.12–1.18 slower in `GemmDriver`'s order, so they keep this one. Hinting C's and the residual's lines two
  /// tiles ahead in this order recovered less (0.947) and nothing beside `GemmDriver`'s order (1.005).
  static let longDepth = 256

  /// Whether an `m × n` C is larger than one core's second-level cache (`MachineTuning`).
  static func outgrowsSecondLevelCache(m: Int, n: Int) -> Bool {
    let (bytes, overflow) = RunContext.work(m, n).multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
    return overflow || bytes > MachineTuning.secondLevelCacheBytes
  }

  /// The fewest K blocks of at most `maximumDepth` steps, all of one length but the last.
  static func depthPerBlock(k: Int) -> Int {
    let blocks = max(1, (k + maximumDepth - 1) / maximumDepth)
    return (k + blocks - 1) / blocks
  }

  /// Computes `C[rows, columns]` of `epilogue(A·B)` with reduction length `k`; `columns.lowerBound` a
  /// multiple of B's panel width. `rowBlockBytes` other than the default only in tests (many row blocks on a
  /// small product).
  static func run(
    k: Int, a: UnsafePointer<Float>, aRowStride: Int, b: PrepackedPanels, c: UnsafeMutablePointer<Float>,
    cRowStride: Int, epilogue: MatrixEpilogue, rows: Range<Int>, columns: Range<Int>,
    rowBlockBytes: Int = rowBlockBytes
  ) {
    let kernel = GemmDriver.rowsKernel(columns: columns.count, k: k)
    let blockDepth = depthPerBlock(k: k)
    let rowsPerBlock = max(kernel.mr, rowBlockBytes / (k * MemoryLayout<Float>.stride) / kernel.mr * kernel.mr)
    var rowStart = rows.lowerBound
    while rowStart < rows.upperBound {
      let blockRows = rowStart..<min(rows.upperBound, rowStart + rowsPerBlock)
      var column = columns.lowerBound
      while column < columns.upperBound {
        let tileKernel = GemmDriver.lastTileKernel(kernel, remaining: columns.upperBound - column)
        let width = min(tileKernel.nr, columns.upperBound - column)
        var depthStart = 0
        while depthStart < k {
          let next =
            depthStart + blockDepth < k
            ? b.panels(depthStart: depthStart + blockDepth, columnStart: column)
            : column + width < columns.upperBound ? b.panels(depthStart: 0, columnStart: column + width) : nil
          runRowPanels(
            Block(
              kernel: tileKernel, depthStart: depthStart, depth: min(blockDepth, k - depthStart), k: k, a: a,
              aRowStride: aRowStride, b: b, c: c, cRowStride: cRowStride, epilogue: epilogue, rows: blockRows,
              column: column, width: width),
            hinting: next)
          depthStart += blockDepth
        }
        column += width
      }
      rowStart = blockRows.upperBound
    }
  }

  /// One column tile and K block over a row block.
  private struct Block {
    let kernel: GemmMicrokernel
    let depthStart: Int
    let depth: Int
    let k: Int
    let a: UnsafePointer<Float>
    let aRowStride: Int
    let b: PrepackedPanels
    let c: UnsafeMutablePointer<Float>
    let cRowStride: Int
    let epilogue: MatrixEpilogue
    let rows: Range<Int>
    let column: Int
    let width: Int
  }

  /// The block's tiles down its rows (`RowTiling`). The first two each hint half of the `next` block's panel
  /// into the second-level cache as they run (`GemmMicrokernel6x16.runReadingRows(_:prefetching:)`): a 1x1
  /// layer on a 7x7 plane streams 1–4 MB of weights from memory and has only nine tiles per block to hide each
  /// block's arrival, and a transformer's few tokens two or three. The second and third tiles used to hint,
  /// so that the first would absorb any wait for its own panel, and with two tiles only the second did: the
  /// other half of each panel then arrived when the next block's first tile stalled on it. BERT-base, one
  /// thread: 8 tokens 26.2 → 23.0 ms, 16 tokens 34.8 → 33.6; ResNet-50, MobileNetV2, DenseNet-121 and
  /// ViT-tiny unchanged (Zen 3, alternating runs).
  ///
  /// On 256-bit vectors the unhinted whole tiles of a 16-column block under a clip epilogue run in one call
  /// (`GemmMicrokernel6x16.runWholeTiles`) rather than one kernel call each: a tile built and passed through
  /// memory per call stalled on store forwarding. Zen 3, one thread, ResNet-50's 1x1 layers as one-layer
  /// plans, medians of four alternating rounds: 128→512 at 28x28 −0.075 ms (of 1.25), 256→64 at 56x56 −0.05,
  /// 512→128 at 28x28 −0.03, 1024→256 at 14x14 and 2048→512 at 7x7 −0.025.
  private static func runRowPanels(_ block: Block, hinting next: (base: UnsafePointer<Float>, stride: Int)?) {
    let sixteenWide = block.kernel === MicrokernelRegistry.gemmRowsA && block.width == GemmMicrokernel6x16.nr
    let tiling = RowTiling(rows: block.rows.count, recutsShortTail: sixteenWide)
    let hinting = next == nil ? 0..<0 : 0..<min(hintingTiles, tiling.count)
    func run(_ index: Int) { runTile(block, rows: tiling.rows(ofTile: index), index: index, hinting: next, hinting) }
    let origin = tile(block, rows: tiling.rows(ofTile: 0), index: 0, hinting: nil)
    guard sixteenWide, GemmMicrokernel6x16.runWholeTiles(origin, rowPanels: 0..<0, panels: 1) else {
      for index in 0..<tiling.count { run(index) }
      return
    }
    for index in hinting { run(index) }
    let unhinted = min(hinting.upperBound, tiling.wholeTiles)..<tiling.wholeTiles
    _ = GemmMicrokernel6x16.runWholeTiles(origin, rowPanels: unhinted, panels: 1)
    for index in max(hinting.upperBound, tiling.wholeTiles)..<tiling.count { run(index) }
  }

  /// The tiles of a 16-column block that hint the next block's panel, half each.
  static let hintingTiles = 2

  /// The tile of `rows` (counted from the block's first row), the block's tile `index`; with a kernel of
  /// several panels, tiles 1 to its panel count each hint one panel of `next`.
  private static func tile(
    _ block: Block, rows: Range<Int>, index: Int, hinting next: (base: UnsafePointer<Float>, stride: Int)?
  ) -> GemmTile {
    let kernel = block.kernel
    let row = block.rows.lowerBound + rows.lowerBound
    let panels = block.b.panels(depthStart: block.depthStart, columnStart: block.column)
    let isLast = block.depthStart + block.depth == block.k
    var tile = GemmTile(
      depth: block.depth, a: block.a + row * block.aRowStride + block.depthStart, aRowStride: block.aRowStride,
      b: panels.base, bPanelStride: panels.stride, c: block.c + row * block.cRowStride + block.column,
      cRowStride: block.cRowStride, rows: rows.count, columns: block.width,
      accumulate: block.depthStart > 0, epilogue: isLast ? block.epilogue.tile(row: row, column: block.column) : nil)
    if let next, index > 0, index <= kernel.nr / kernel.panelWidth {
      tile.prefetch = next.base + (index - 1) * next.stride
    }
    return tile
  }

  /// One tile of the block on its kernel: a 16-column one on the prefetching form when it is one of the
  /// tiles in `hintingRange` (which hint half of `next` each) or shorter than six rows (its four-row loop).
  private static func runTile(
    _ block: Block, rows: Range<Int>, index: Int, hinting next: (base: UnsafePointer<Float>, stride: Int)?,
    _ hintingRange: Range<Int>
  ) {
    let kernel = block.kernel
    let tile = tile(block, rows: rows, index: index, hinting: next)
    let sixteenWide = kernel === MicrokernelRegistry.gemmRowsA && tile.columns == GemmMicrokernel6x16.nr
    if tile.rows == 1 && GemmMicrokernelOneRow.matchesSixRowKernels(columns: tile.columns) {
      GemmDriver.oneRowKernel.run(tile)
    } else if sixteenWide, let next, hintingRange.contains(index) {
      // `kernel.run` ignores the hint, and the weights of a 1x1 layer on a 7x7 plane then arrived from memory
      // only when the first tile stalled on them. MobileNetV2 in the network, Zen 3, one thread, ÷
      // onnxruntime's same layers: 960→320 at 7x7 1.15 → 1.02, 320→1280 1.09 → 0.97, 960→160 1.16 → 1.03.
      let half = index - hintingRange.lowerBound
      GemmMicrokernel6x16.runReadingRows(
        tile, prefetching: next.base + half * block.depth * (GemmMicrokernel6x16.nr / 2), into: .secondLevel)
    } else if sixteenWide, tile.rows < GemmMicrokernel6x16.mr {
      GemmMicrokernel6x16.runReadingRows(tile, prefetching: nil)
    } else {
      kernel.run(tile)
    }
  }
}
