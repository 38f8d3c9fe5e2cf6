import ResKernels
import ResPlan

/// How a GEMM's A operand (`m × k`) is supplied.
enum GemmA {
  /// Prepacked into `MR`-row panels over the whole reduction (`PackedPanels`): panel `p` starts at
  /// `p · k · MR`.
  case packed(UnsafePointer<Float>)
  /// Element `(i, k)` at `base[i·rowStride + k·depthStride]`; packed block by block while running.
  case strided(UnsafePointer<Float>, rowStride: Int, depthStride: Int)
  /// Row-major: element `(i, k)` at `base[i·rowStride + k]`, read in place by `GemmDriver.rowsKernel`. Costs
  /// nothing to cut into pieces, where `strided` packs the rows of every piece again. On one thread it pays
  /// only for narrow products: `MatMulOperator` chooses it for a GEMM cut into pieces, or one of at most
  /// `MatMulOperator.inPlaceColumns` columns (ViT-tiny's, 5–20 % faster in place), while the transformer
  /// encoder's 512- and 2048-column products measured faster packed.
  case rows(UnsafePointer<Float>, rowStride: Int)
  /// Element `(i, k)` at `base[k·depthStride + i]`: a row-major activation's channel planes with the positions
  /// as rows (`ChannelsLastPointwise`), `transform` (a convolution's prologue, step `k` = channel `k`)
  /// applied as it is packed block by block (`PanelPacking.packPlaneRows`).
  case channelPlanes(UnsafePointer<Float>, depthStride: Int, transform: ChannelTransform?)

  /// Whether the kernel reads this operand's rows in place instead of packed panels.
  var isReadInPlace: Bool {
    if case .rows = self { true } else { false }
  }
}

/// Supplies B (`k × n`) in `NR`-column panels: a strided matrix, a convolution's input read as im2col
/// columns without materializing them, or a constant packed once at load.
protocol PanelSource {
  /// Writes the panel of `columns ≤ width` columns starting at `columnStart`, reduction steps
  /// `depthStart..<depthStart+depth`, as `panel[k·width + j]`, zero-padded to `width` columns.
  func packPanel(
    depthStart: Int, depth: Int, columnStart: Int, columns: Int, width: Int, into panel: UnsafeMutablePointer<Float>)

  /// The panels of columns from `columnStart` (a multiple of `NR`) and reduction steps from `depthStart`
  /// when they are already packed, and the distance between consecutive panels; nil when they must be
  /// packed with `packPanel`.
  func packedPanels(depthStart: Int, columnStart: Int) -> (base: UnsafePointer<Float>, stride: Int)?

  /// Whether every panel is already packed (`packedPanels` never returns nil).
  var isPrepacked: Bool { get }
}

extension PanelSource {
  func packedPanels(depthStart: Int, columnStart: Int) -> (base: UnsafePointer<Float>, stride: Int)? { nil }
  var isPrepacked: Bool { false }
}

/// A constant B packed at load (`PackedPanels` of B's columns, `NR` wide): the GEMM reads its panels in place.
struct PrepackedPanels: PanelSource {
  let packed: PackedPanels

  func packPanel(
    depthStart: Int, depth: Int, columnStart: Int, columns: Int, width: Int, into panel: UnsafeMutablePointer<Float>
  ) {
    let source = packed.panel(columnStart / packed.width) + depthStart * packed.width
    panel.update(from: source, count: depth * width)
  }

  func packedPanels(depthStart: Int, columnStart: Int) -> (base: UnsafePointer<Float>, stride: Int)? {
    panels(depthStart: depthStart, columnStart: columnStart)
  }

  /// The panels of columns from `columnStart` (a multiple of the panel width) and reduction steps from
  /// `depthStart`, and the distance between consecutive panels.
  func panels(depthStart: Int, columnStart: Int) -> (base: UnsafePointer<Float>, stride: Int) {
    (packed.panel(columnStart / packed.width) + depthStart * packed.width, packed.depth * packed.width)
  }

  var isPrepacked: Bool { true }
}

/// B as a strided matrix: element `(k, j)` at `base[k·depthStride + j·columnStride]`.
struct StridedPanels: PanelSource {
  let base: UnsafePointer<Float>
  let depthStride: Int
  let columnStride: Int

  func packPanel(
    depthStart: Int, depth: Int, columnStart: Int, columns: Int, width: Int, into panel: UnsafeMutablePointer<Float>
  ) {
    PanelPacking.packColumns(
      base + depthStart * depthStride + columnStart * columnStride, depthStride: depthStride,
      columnStride: columnStride, columns: columns, depth: depth, width: width, into: panel)
  }
}

/// The epilogue of a whole output matrix; `tile(row:column:)` gives the microkernel's view of one tile.
struct MatrixEpilogue {
  var alpha: Float = 1
  /// Bias at output element (0, 0), read with these strides (column stride 0 or 1), scaled by `biasScale`.
  var bias: UnsafePointer<Float>?
  var biasRowStride = 0
  var biasColumnStride = 0
  var biasScale: Float = 1
  /// A tensor of the output's layout added before the activation.
  var residual: UnsafePointer<Float>?
  var residualRowStride = 0
  var activation: PointwiseFunction = .identity

  func tile(row: Int, column: Int) -> TileEpilogue {
    TileEpilogue(
      alpha: alpha, bias: bias.map { $0 + row * biasRowStride + column * biasColumnStride },
      biasRowStride: biasRowStride, biasColumnStride: biasColumnStride, biasScale: biasScale,
      residual: residual.map { $0 + row * residualRowStride + column }, residualRowStride: residualRowStride,
      activation: activation)
  }
}

/// A cache-blocked GEMM over the registry's microkernel: `C = epilogue(A·B)` for a block of C's rows and
/// columns.
///
/// Loop order after Goto and BLIS: columns in blocks of `columnsPerBlock` (one block when B is prepacked), the
/// reduction in K blocks of `depthPerBlock` (B's block packed once per pair), rows in `rowsPerBlock` blocks (A packed unless prepacked or read in
/// place), then microkernel tiles. A short reduction (`shortDepth` or less: MobileNet's 1×1 convolutions of
/// 16–64 channels) takes its tiles row panel by row panel instead and in wider column blocks: its tile's sums
/// cost less than its stores, and column panels innermost wrote 96 rows of C in 64-byte pieces 50 KB apart,
/// which the hardware prefetchers cannot follow; rows outermost write six rows sequentially (MobileNetV2's
/// 16→96 layer at 112×112: 1.77 → 0.89 ms). An A read in place goes row panel by row panel too, and a
/// prepacked B then in column blocks as well, as onnxruntime's MLAS does: the tile's six rows of A stay in L1
/// while B's panels stream from L2 in one sequential run; column panels innermost read A's block from L2 as
/// six short streams per tile instead (ViT-tiny's MatMul steps with every A in place, one thread: 39.5 → 37.4 ms
/// summed, medians of six alternating runs on the loaded host).
///
/// Every element of C is summed in the same order (K blocks, which depend on K alone, in sequence, each in
/// order) whatever block of C a call covers, so splitting C's rows or columns over threads gives bit-identical results.
enum GemmDriver {
  static let kernel = MicrokernelRegistry.gemm
  /// The kernel of an A read in place (same tile as `kernel`).
  static let rowsKernel = MicrokernelRegistry.gemmRowsA
  /// The kernels the tiles run, for a packed A and for one read in place: where vectors are 512 bits wide,
  /// the 6 × 32 tile over two of `kernel`'s 16-wide panels (`GemmMicrokernel6x32`); otherwise `kernel` and
  /// `rowsKernel` themselves. Panels stay `kernel.nr` wide either way, as the plan packs them.
  static let tileKernel = GemmMicrokernel6x32.preferred ? MicrokernelRegistry.gemmWideTall : kernel
  static let tileRowsKernel = GemmMicrokernel6x32.preferred ? MicrokernelRegistry.gemmRowsAWide : rowsKernel
  /// Where vectors are 512 bits wide, an A read in place against fewer than `tileRowsKernel.nr` columns of B
  /// (MobileNetV2's projections to 16 and 24 channels) takes one tile of up to twelve rows across all of them
  /// instead of two panels (`GemmMicrokernel6x24.narrowRowsReadingRows`).
  /// Where they are 256 bits wide, an A read in place against 17 to 24 columns (MobileNetV2's projections to
  /// 24 channels) takes six rows across all of them, three rows at a time
  /// (`GemmMicrokernel6x24.narrowRowsInThreeRowPasses`), instead of a 16-column tile and an 8-column one.
  static let narrowRowsKernel =
    GemmMicrokernel6x32.preferred ? MicrokernelRegistry.gemmRowsANarrow : MicrokernelRegistry.gemmRowsAPanelAndHalf

  /// Where vectors are 512 bits wide, an A read in place against at least 64 columns of B over a reduction
  /// longer than `widestTileDepth` takes four panels per tile (`GemmMicrokernel6x64`): each broadcast of A
  /// feeds four multiply-adds instead of two. ResNet-50's channels-last 1x1 layers of 256–2048 steps ran 2–10 %
  /// faster (one thread, profiles of the same plan); its 64- and 128-step ones at 56x56 and 28x28 ran 1–3 %
  /// slower, and so did MobileNetV2's 24-step expansions at 56x56: there the tile's stores and epilogue weigh
  /// more than its loads.
  static let widestRowsKernel = GemmMicrokernel6x32.preferred ? MicrokernelRegistry.gemmRowsAWider : rowsKernel
  static let widestTileDepth = 128
  /// Twelve rows of A read in place against one 16-column panel: the last panel of a block read in place
  /// (`TileBlock.runByRowPanels`).
  static let tallKernel = MicrokernelRegistry.gemmRowsATall
  /// A block's last row on its own when A is read in place: a 7×7 plane's 49 positions are eight six-row
  /// tiles and this row, which a six-row kernel computes at the cost of six (`GemmMicrokernelOneRow`).
  static let oneRowKernel = MicrokernelRegistry.gemmOneRow

  /// The kernel of an A read in place for a block of `columns` columns and a reduction of `k` steps.
  static func rowsKernel(columns: Int, k: Int) -> GemmMicrokernel {
    if columns < tileRowsKernel.nr || (columns > tileRowsKernel.nr && columns <= narrowRowsKernel.nr) {
      return narrowRowsKernel
    }
    return columns < widestRowsKernel.nr || k <= widestTileDepth ? tileRowsKernel : widestRowsKernel
  }
  /// The kernel of a column tile with `remaining` columns left to compute on `kernel` (A read in place):
  /// `narrowRowsKernel` where it takes them all in one tile that `kernel` would cut in two, else `kernel`. On
  /// 256-bit vectors a 1x1 to 40 channels then runs a 16-column tile and a 24-column one instead of two
  /// 16-column tiles and an 8-column one; every column is summed in the same chain either way.
  static func lastTileKernel(_ kernel: GemmMicrokernel, remaining: Int) -> GemmMicrokernel {
    remaining > kernel.nr && remaining <= narrowRowsKernel.nr && kernel.aLayout == .rows ? narrowRowsKernel : kernel
  }

  /// The longest K block. A reduction is cut into the fewest blocks of at most `kc` steps, all of one length
  /// (`depthPerBlock`): every block after the first reloads C, and 256-step blocks left MobileNetV2's 320- and
  /// DenseNet's 288-step reductions a second block of 64 or 32 steps, all reload and no work (MobileNetV2's
  /// 320→1280 layer at 7×7, one thread, minima of six alternating rounds: 0.558 → 0.501 ms). A B panel of
  /// `kc` steps (24 KB) still leaves room in a 32 KB first-level cache for the A panel streaming past it.
  static let kc = 384
  /// Floats of A per row block (384 KB: 256 rows of a 384-step K block), packed or read in place, kept in the
  /// second-level cache while the block's tiles sweep B. Blocks are cut evenly (`rowsPerBlock`): a fixed
  /// 120-row block left a transformer's 128 tokens, ViT-tiny's 197 and DenseNet-121's 128-channel
  /// bottlenecks a second block of 8 or 77 rows, which swept all of B's block again for a few rows (the
  /// encoder's 2 MB K blocks of its feed-forward weights, from the third-level cache).
  static let aBlockFloats = 256 * 384
  /// Floats of B packed per column block and K block (256 KB), sized for the second-level cache beside A's
  /// block: 256 columns of a 256-step block, more columns of a shorter one.
  static let bBlockFloats = 256 * 256
  /// Reductions up to this length take their tiles row panel by row panel (see above).
  static let shortDepth = 64
  /// Reductions up to this length whose epilogue is a clip (ReLU, ReLU6 or none) run every row-panel block
  /// as strips (`TileBlock.runByRowPanels`), giving up the hints of the next B block that only per-tile calls
  /// spread over their reductions. A tile of 65 to 256 steps is short enough that its call costs more than
  /// the hints save: the driver builds a `GemmTile` per tile and passes it through memory, the tile hints its
  /// lines of C before its reduction, and its epilogue leaves through the stack, where a strip keeps the
  /// whole tiles in registers to the store (`GemmMicrokernel6x16.runWholeTiles`). Other activations leave
  /// every tile through the stack either way, and ViT-tiny's GELU expansions (192 steps) ran 1.5–2.5 %
  /// slower as strips on two threads, so they keep the hints. Zen 3 (AVX2), paired rounds
  /// (`benchmarks/ab_steps.py`), one / two threads: ResNet-50's 128→512 1x1 steps at 28x28 0.87–0.89 /
  /// 0.84–0.90 of their time, the 256→1024 ones at 14x14 (1 MB of weights in four column blocks, hinted
  /// before) 0.93–0.96, the whole run 0.969 / 0.97–0.99; the other models even or up to 1.5 % faster. The
  /// bits are the same: each column is one chain on either path.
  static let stripDepth = 256

  /// The length of every K block but the last (which may be shorter) for reduction length `k`.
  static func depthPerBlock(k: Int) -> Int {
    let blocks = max(1, (k + kc - 1) / kc)
    return max(1, (k + blocks - 1) / blocks)
  }

  /// Columns per block of a product `columns` wide, for K blocks of `depth` steps and a kernel whose tile is
  /// `tile` columns: at most as many as fill the B block (`bBlockFloats`), in whole tiles (at least one), and
  /// the blocks of one size. Cut into whole 16-wide panels instead, ResNet-50's 1024→256 layer at 14×14 (K
  /// blocks of 342 steps) took blocks of 176 and 80 columns, each ending in a narrower tile than its kernel's
  /// 64 columns: a quarter of that layer's time went to 6×32, 12×16 and 6×16 tiles.
  static func columnsPerBlock(depth: Int, columns: Int, tile: Int) -> Int {
    let most = max(tile, bBlockFloats / max(1, depth) / tile * tile)
    let blocks = max(1, (columns + most - 1) / most)
    let even = (columns + blocks - 1) / blocks
    return (even + tile - 1) / tile * tile
  }

  /// Scratch floats one worker needs: B's block, plus A's block when A is packed while running (`strided`).
  static func scratchFloats(packsA: Bool) -> Int {
    bBlockFloats + (packsA ? aBlockFloats : 0)
  }

  /// Rows per block of a product with `rows` rows, for K blocks of `depth` steps and a kernel whose tile is
  /// `tile` rows: at most as many as fit `aBlockFloats` in whole tiles (at least one tile), the blocks of one
  /// size but the last.
  static func rowsPerBlock(rows: Int, depth: Int, tile: Int) -> Int {
    let most = max(tile, aBlockFloats / max(1, depth) / tile * tile)
    let blocks = max(1, (rows + most - 1) / most)
    let even = (rows + blocks - 1) / blocks
    return (even + tile - 1) / tile * tile
  }

  /// Computes `C[rows, columns]` of the `m × n` product with reduction length `k`. `rows.lowerBound` must be
  /// a multiple of `MR` when A is prepacked and `columns.lowerBound` a multiple of `NR` when B is
  /// (`GemmPartition` only makes such splits).
  static func run<B: PanelSource>(
    k: Int, a: GemmA, b: B, c: UnsafeMutablePointer<Float>, cRowStride: Int, epilogue: MatrixEpilogue,
    rows: Range<Int>, columns: Range<Int>, scratch: UnsafeMutablePointer<Float>
  ) {
    let bBlock = scratch
    let aBlock = scratch + bBlockFloats
    let blockDepth = depthPerBlock(k: k)
    let depthBlocks = max(1, (k + blockDepth - 1) / blockDepth)
    var columnStart = columns.lowerBound
    while columnStart < columns.upperBound {
      // A prepacked B needs no column blocks for a packed A (they only bound the B block packed per run), and
      // each column block packs A again: a transformer's MLP (N = 768) packed its activations three times. An
      // A read in place packs nothing and needs them to keep the B block that each row panel sweeps in L2.
      let streams = isStreaming(a: a, b: b, rows: rows)
      let blockKernel = a.isReadInPlace ? rowsKernel(columns: columns.count, k: k) : tileKernel
      let blockColumns =
        b.isPrepacked && (!a.isReadInPlace || streams)
        ? columns.count
        : min(
          columnsPerBlock(depth: blockDepth, columns: columns.count, tile: blockKernel.nr),
          columns.upperBound - columnStart)
      let mr = blockKernel.mr
      let rowsPerBlock = rowsPerBlock(rows: rows.count, depth: blockDepth, tile: mr)
      let columnTiles = (blockColumns + blockKernel.nr - 1) / blockKernel.nr
      for depthBlock in 0..<depthBlocks {
        let depthStart = depthBlock * blockDepth
        let depth = min(blockDepth, k - depthStart)
        let isLast = depthBlock == depthBlocks - 1
        let bPanels = panels(
          of: b, columnStart: columnStart, blockColumns: blockColumns, depthStart: depthStart, depth: depth,
          into: bBlock)
        var rowStart = rows.lowerBound
        while rowStart < rows.upperBound {
          let blockRows = min(rowsPerBlock, rows.upperBound - rowStart)
          let rowPanels = (blockRows + mr - 1) / mr
          let aPanels = panels(
            of: a, k: k, rowStart: rowStart, blockRows: blockRows, depthStart: depthStart, depth: depth,
            rowsPerTile: mr, into: aBlock)
          let isLastRowBlock = rowStart + blockRows == rows.upperBound
          let block = TileBlock(
            kernel: blockKernel, aPanelRows: a.isReadInPlace ? blockKernel.mr : kernel.mr, depth: depth, a: aPanels,
            b: bPanels, c: c,
            cRowStride: cRowStride, rowStart: rowStart, rowEnd: rowStart + blockRows, columnStart: columnStart,
            columnEnd: columnStart + blockColumns, reduction: k, accumulate: depthBlock > 0,
            epilogue: isLast ? epilogue : nil,
            upcoming: isLastRowBlock
              ? upcomingPanels(
                of: b, columnStart: columnStart, blockColumns: blockColumns, depthStart: depthStart,
                blockDepth: blockDepth, k: k, columns: columns)
              : nil)
          if streams {
            let following = depthBlock + 1 < depthBlocks
              ? b.packedPanels(depthStart: depthStart + blockDepth, columnStart: columnStart)?.base : nil
            block.stream(following: following)
          } else if k <= shortDepth || a.isReadInPlace {
            block.runByRowPanels(rowPanels: rowPanels, columnTiles: columnTiles)
          } else {
            for columnTile in 0..<columnTiles {
              for rowPanel in 0..<rowPanels {
                block.run(rowPanel: rowPanel, columnTile: columnTile, hintsNextColumnTile: b.isPrepacked)
              }
            }
          }
          rowStart += blockRows
        }
      }
      columnStart += blockColumns
    }
  }

  /// Whether a block of C is one row group over a prepacked B with A read in place (a batch-1 MatMul or a
  /// 1x1 convolution on a few positions: ConvNeXt's last stage, 4 tokens against 9 MB of weights): each weight
  /// is then read once per run, from memory, and the product is bound by that stream, not by multiply-adds.
  static func isStreaming<B: PanelSource>(a: GemmA, b: B, rows: Range<Int>) -> Bool {
    a.isReadInPlace && b.isPrepacked && rows.count <= kernel.mr
  }

  /// The tiles of one row block × column block × K block, with their packed panels.
  private struct TileBlock {
    let kernel: GemmMicrokernel
    /// Rows per step of `a.stride`: a packed panel's (6), or the kernel's tile when A is read in place.
    let aPanelRows: Int
    let depth: Int
    /// A's panels (`stride` floats apart), or its rows read in place (`rowStride` apart, `stride` = MR rows).
    let a: (base: UnsafePointer<Float>, stride: Int, rowStride: Int)
    let b: (base: UnsafePointer<Float>, stride: Int)
    let c: UnsafeMutablePointer<Float>
    let cRowStride: Int
    let rowStart: Int
    /// The end of this row block, not of the product: no tile may reach past it. A twelve-row tile on the
    /// block's last, odd row panel (`runTallTail`) once took the next block's first six rows too, and
    /// those rows then got a later K block's products added twice when their own block ran.
    let rowEnd: Int
    let columnStart: Int
    let columnEnd: Int
    /// The whole product's reduction length (`depth` is this K block's part of it).
    let reduction: Int
    let accumulate: Bool
    let epilogue: MatrixEpilogue?
    /// The prepacked panels of the B block after this one (`upcomingPanels`), which this block's tiles hint
    /// into cache, one panel per tile (`hint(rowPanel:columnTile:)`).
    let upcoming: (base: UnsafePointer<Float>, stride: Int, count: Int)?

    /// A streaming block (`isStreaming`): one 16-column panel at a time, each tile hinting the cache to fetch
    /// the panel after it (`GemmMicrokernel6x16.runReadingRows(_:prefetching:)`), the last one the first
    /// panel of the `following` K block. The hardware prefetchers alone kept ConvNeXt's last-stage weights
    /// streaming at 13 GB/s of the core's 43.
    func stream(following: UnsafePointer<Float>?) {
      let width = GemmMicrokernel6x16.nr
      var column = columnStart
      var panel = 0
      while column < columnEnd {
        let next = column + width < columnEnd ? b.base + (panel + 1) * b.stride : following
        GemmMicrokernel6x16.runReadingRows(
          GemmTile(
            depth: depth, a: a.base, aRowStride: a.rowStride, b: b.base + panel * b.stride, bPanelStride: b.stride,
            c: c + rowStart * cRowStride + column, cRowStride: cRowStride, rows: rowEnd - rowStart,
            columns: min(width, columnEnd - column), accumulate: accumulate,
            epilogue: epilogue?.tile(row: rowStart, column: column)),
          prefetching: next)
        column += width
        panel += 1
      }
    }

    /// Row panel by row panel, each across the block's column tiles. With A read in place on 512-bit
    /// vectors, a last column tile of one 16-wide panel or less (a 1x1 to 48, 144 or 240 channels) runs on
    /// twelve-row tiles every other row panel (`tallKernel`): on the six-row kernel that panel kept six sums
    /// in flight where eight fit (MNASNet's 16→48 expansion at 112x112 took 0.159 ms against onnxruntime's
    /// 0.081). Both kernels sum a column in the same chain, so the bits are the same.
    ///
    /// The kernel's strip, where it has one, takes the whole block in one call (`runStrips`) for a reduction
    /// of up to `GemmDriver.shortDepth` steps, for one of up to `GemmDriver.stripDepth` whose epilogue the
    /// strip keeps in registers (a clip: ReLU, ReLU6 or none), and for any block with no next B block to
    /// hint: the tiles run in the same order either way, and the call saves building each tile. MobileNetV2's
    /// projections to 16 or 24 channels (`GemmDriver.narrowRowsKernel`) in the network, one thread, medians
    /// of four alternating rounds: 32→16 at 112x112 (32 steps) 0.255 → 0.225 ms, 96→24 at 56x56 0.213 →
    /// 0.204, 144→24 0.290 → 0.284; the longer reductions of `stripDepth`'s measurements gained more.
    func runByRowPanels(rowPanels: Int, columnTiles: Int) {
      let stripsWholeTiles = reduction <= GemmDriver.stripDepth && epilogue?.activation.clipBounds != nil
      let tailStart = columnStart + (columnTiles - 1) * kernel.nr
      // A kernel wider than one panel is a 512-bit build's (`tileRowsKernel`), which the tall kernel needs.
      let tallTail =
        columnTiles > 1 && kernel.aLayout == .rows && kernel.nr > GemmDriver.tallKernel.nr
        && columnEnd - tailStart <= GemmDriver.tallKernel.nr
      if let strip = kernel.strip, depth <= GemmDriver.shortDepth || upcoming == nil || stripsWholeTiles {
        runStrips(strip, rows: min(rowPanels * kernel.mr, rowEnd - rowStart), columnTiles: tallTail ? columnTiles - 1 : columnTiles)
        if tallTail { runTallTail(rowPanels: rowPanels, columnTiles: columnTiles, interleaved: false) }
        return
      }
      guard tallTail else {
        for rowPanel in 0..<rowPanels {
          for columnTile in 0..<columnTiles { run(rowPanel: rowPanel, columnTile: columnTile) }
        }
        return
      }
      runTallTail(rowPanels: rowPanels, columnTiles: columnTiles, interleaved: true)
    }

    /// Column tiles `0..<columnTiles` over the block's `rows` rows in one call of `strip`, which goes row
    /// panel by row panel as `run(rowPanel:columnTile:)` would: a short reduction's six-row tile costs about
    /// as much to set up and call as to compute, and a twelve-row tile of 32 steps a quarter as much.
    private func runStrips(_ strip: GemmMicrokernel, rows: Int, columnTiles: Int) {
      strip.run(
        GemmTile(
          depth: depth, a: a.base, aRowStride: a.rowStride, aPanelStride: a.stride,
          b: b.base, bPanelStride: b.stride,
          c: c + rowStart * cRowStride + columnStart, cRowStride: cRowStride, rows: rows,
          columns: min(columnTiles * strip.nr, columnEnd - columnStart), accumulate: accumulate,
          epilogue: epilogue?.tile(row: rowStart, column: columnStart)))
    }

    /// The last column tile (at most one 16-wide panel) on twelve-row tiles; `interleaved`, the other column
    /// tiles of the same two row panels before each.
    private func runTallTail(rowPanels: Int, columnTiles: Int, interleaved: Bool) {
      let tailStart = columnStart + (columnTiles - 1) * kernel.nr
      var rowPanel = 0
      while rowPanel < rowPanels {
        let pair = min(2, rowPanels - rowPanel)
        for panel in rowPanel..<(rowPanel + pair) where interleaved {
          for columnTile in 0..<(columnTiles - 1) { run(rowPanel: panel, columnTile: columnTile) }
        }
        let row = rowStart + rowPanel * kernel.mr
        GemmDriver.tallKernel.run(
          GemmTile(
            depth: depth, a: a.base + rowPanel * a.stride, aRowStride: a.rowStride, aPanelStride: a.stride,
            b: b.base + (columnTiles - 1) * (kernel.nr / kernel.panelWidth) * b.stride, bPanelStride: b.stride,
            c: c + row * cRowStride + tailStart, cRowStride: cRowStride,
            rows: min(GemmDriver.tallKernel.mr, rowEnd - row), columns: columnEnd - tailStart, accumulate: accumulate,
            epilogue: epilogue?.tile(row: row, column: tailStart)))
        rowPanel += pair
      }
    }

    /// The panel of the next B block that the tile of `rowPanel` and `columnTile` hints: one panel per tile,
    /// from the second row panel on (the first row panel's tiles wait for this block's own panels).
    func hint(rowPanel: Int, columnTile: Int) -> UnsafePointer<Float>? {
      guard let upcoming, rowPanel > 0 else { return nil }
      let tilesPerRowPanel = (columnEnd - columnStart + kernel.nr - 1) / kernel.nr
      let index = (rowPanel - 1) * tilesPerRowPanel + columnTile
      return index < upcoming.count ? upcoming.base + index * upcoming.stride : nil
    }

    /// The panel that the tile of `rowPanel` and `columnTile` hints when column tiles are the outer loop and
    /// B is prepacked: the first row panels each hint one panel of the next column tile (after the block's
    /// last, of the `upcoming` block), which the next column's first tile would otherwise wait on. A
    /// transformer encoder's MatMuls stream 1–4 MB of weights a run from memory this way, a column tile at a
    /// time (its 14 alternating rounds, one thread, summed medians of the MatMul steps: 51.80 → 48.22 ms,
    /// minima 41.08 → 37.46; ViT-tiny and DenseNet-121 unchanged).
    func nextColumnTileHint(rowPanel: Int, columnTile: Int) -> UnsafePointer<Float>? {
      let panelsPerTile = kernel.nr / kernel.panelWidth
      guard rowPanel < panelsPerTile else { return nil }
      if columnStart + (columnTile + 1) * kernel.nr < columnEnd {
        return b.base + ((columnTile + 1) * panelsPerTile + rowPanel) * b.stride
      }
      guard let upcoming, rowPanel < upcoming.count else { return nil }
      return upcoming.base + rowPanel * upcoming.stride
    }

    /// The tile of row panel `rowPanel` and column tile `columnTile` (`kernel.nr` columns, one or more
    /// panels; both counted from the block's start), hinting the next B block's panels as `hint` chooses, or
    /// with `hintsNextColumnTile` as `nextColumnTileHint` does.
    @inline(__always)
    func run(rowPanel: Int, columnTile: Int, hintsNextColumnTile: Bool = false) {
      let row = rowStart + rowPanel * kernel.mr
      let column = columnStart + columnTile * kernel.nr
      let panel = columnTile * (kernel.nr / kernel.panelWidth)
      var tile = GemmTile(
        depth: depth, a: a.base + rowPanel * (kernel.mr / aPanelRows) * a.stride, aRowStride: a.rowStride,
        aPanelStride: a.stride, b: b.base + panel * b.stride, bPanelStride: b.stride,
        c: c + row * cRowStride + column, cRowStride: cRowStride, rows: min(kernel.mr, rowEnd - row),
        columns: min(kernel.nr, columnEnd - column), accumulate: accumulate,
        epilogue: epilogue?.tile(row: row, column: column))
      tile.prefetch =
        hintsNextColumnTile
        ? nextColumnTileHint(rowPanel: rowPanel, columnTile: columnTile) : hint(rowPanel: rowPanel, columnTile: columnTile)
      if tile.rows == 1 && kernel.aLayout == .rows && GemmMicrokernelOneRow.matchesSixRowKernels(columns: tile.columns) {
        GemmDriver.oneRowKernel.run(tile)
      } else {
        kernel.run(tile)
      }
    }
  }

  /// The prepacked panels of the B block after the one at `columnStart` and `depthStart`: the next K block of
  /// the same columns, else the first K block of the next column block of `columns`; nil after the last, or
  /// where B is packed while running. Each panel's part of a K block is one 64-byte line per reduction step,
  /// as many as a tile of the current block runs (K blocks are of one length but the last).
  ///
  /// A block's first row panel waits for its B panels, which a long reduction brings from memory once per
  /// run (ResNet-50's 1x1 layers on 14x14 and 7x7: 1–4 MB of weights each); its later row panels find them
  /// in cache and hint the next block's, one panel per tile.
  private static func upcomingPanels<B: PanelSource>(
    of b: B, columnStart: Int, blockColumns: Int, depthStart: Int, blockDepth: Int, k: Int, columns: Range<Int>
  ) -> (base: UnsafePointer<Float>, stride: Int, count: Int)? {
    guard b.isPrepacked else { return nil }
    let width = kernel.nr
    if depthStart + blockDepth < k, let next = b.packedPanels(depthStart: depthStart + blockDepth, columnStart: columnStart) {
      return (next.base, next.stride, (blockColumns + width - 1) / width)
    }
    let nextColumn = columnStart + blockColumns
    guard nextColumn < columns.upperBound, let next = b.packedPanels(depthStart: 0, columnStart: nextColumn) else {
      return nil
    }
    return (next.base, next.stride, (min(blockColumns, columns.upperBound - nextColumn) + width - 1) / width)
  }

  /// The B panels of one column block and K block: the prepacked ones in place, or freshly packed into
  /// `block`.
  private static func panels<B: PanelSource>(
    of b: B, columnStart: Int, blockColumns: Int, depthStart: Int, depth: Int, into block: UnsafeMutablePointer<Float>
  ) -> (base: UnsafePointer<Float>, stride: Int) {
    if let packed = b.packedPanels(depthStart: depthStart, columnStart: columnStart) { return packed }
    let nr = kernel.nr
    var panel = 0
    while panel * nr < blockColumns {
      b.packPanel(
        depthStart: depthStart, depth: depth, columnStart: columnStart + panel * nr,
        columns: min(nr, blockColumns - panel * nr), width: nr, into: block + panel * depth * nr)
      panel += 1
    }
    return (UnsafePointer(block), depth * nr)
  }

  /// The A panels for rows `rowStart..<rowStart+blockRows` and one K block: the prepacked ones in place, A's
  /// rows in place, or panels freshly packed into `block`.
  private static func panels(
    of a: GemmA, k: Int, rowStart: Int, blockRows: Int, depthStart: Int, depth: Int, rowsPerTile: Int,
    into block: UnsafeMutablePointer<Float>
  ) -> (base: UnsafePointer<Float>, stride: Int, rowStride: Int) {
    let mr = kernel.mr
    switch a {
    case .packed(let packed):
      return (packed + (rowStart / mr) * k * mr + depthStart * mr, k * mr, 0)
    case .rows(let base, let rowStride):
      return (base + rowStart * rowStride + depthStart, rowsPerTile * rowStride, rowStride)
    case .strided(let base, let rowStride, let depthStride):
      var row = 0
      while row < blockRows {
        PanelLayout.packRows(
          base + (rowStart + row) * rowStride + depthStart * depthStride, rowStride: rowStride,
          depthStride: depthStride, rows: min(mr, blockRows - row), depth: depth, width: mr,
          into: block + (row / mr) * depth * mr)
        row += mr
      }
      return (UnsafePointer(block), depth * mr, 0)
    case .channelPlanes(let base, let depthStride, let transform):
      PanelPacking.packPlaneRows(
        base + rowStart + depthStart * depthStride, depthStride: depthStride, rows: blockRows, depth: depth,
        width: mr, transform: transform?.advanced(by: depthStart), into: block)
      return (UnsafePointer(block), depth * mr, 0)
    }
  }
}
