/// How a GEMM microkernel reads its A operand (see `GemmTile`).
public enum GemmALayout: Sendable {
  /// Packed `mr`-row panels, zero-padded past the valid rows.
  case panels
  /// In place: rows `aRowStride` apart, contiguous along the reduction; only the valid rows are read.
  case rows
}

/// A GEMM microkernel: computes one `mr × nr` tile from a packed B panel and A as `aLayout` says (see
/// `GemmTile`). A class: the GEMM driver picks one per block, and copying a struct retained and released its
/// name and its closure each time (0.7 % of MobileNetV2's run on two threads).
public final class GemmMicrokernel: Sendable {
  public let name: String
  public let mr: Int
  public let nr: Int
  public let aLayout: GemmALayout
  /// The width of the B panels it reads: `nr`, or 16 for a kernel spanning `nr / 16` panels
  /// `GemmTile.bPanelStride` apart.
  public let panelWidth: Int
  /// The rows of the packed A panels it reads (`aLayout == .panels`): `mr`, or 6 for a kernel spanning
  /// `mr / 6` panels `GemmTile.aPanelStride` apart.
  public let aPanelRows: Int
  /// The most rows one call computes: `mr`, or any number for a strip kernel, which runs its tile's row
  /// panels (of six rows, or twelve for the narrow one) one after another (A read in place).
  public let maximumRows: Int
  /// The most columns one call computes: `nr`, or any number for a strip kernel, which runs each six-row
  /// panel across all its `nr`-column tiles (B's panels `GemmTile.bPanelStride` apart throughout).
  public let maximumColumns: Int
  /// The same tile as a strip kernel, where there is one: the GEMM driver's choice for short reductions.
  public let strip: GemmMicrokernel?
  public let run: @Sendable (GemmTile) -> Void

  init(
    name: String, mr: Int, nr: Int, aLayout: GemmALayout, panelWidth: Int? = nil, aPanelRows: Int? = nil,
    maximumRows: Int? = nil, maximumColumns: Int? = nil, strip: GemmMicrokernel? = nil,
    run: @escaping @Sendable (GemmTile) -> Void
  ) {
    self.name = name
    self.mr = mr
    self.nr = nr
    self.aLayout = aLayout
    self.panelWidth = panelWidth ?? nr
    self.aPanelRows = aPanelRows ?? mr
    self.maximumRows = maximumRows ?? mr
    self.maximumColumns = maximumColumns ?? nr
    self.strip = strip
    self.run = run
  }
}

/// A channels-last convolution microkernel: `positions` output positions × `lanes` output channels, A's
/// rows read in place through a table of pointers per kernel tap (see `IndirectGemmTile`).
///
/// A class, as `GemmMicrokernel` is: the convolutions pick one per block of columns, and copying a struct
/// retained and released its name (and called the runtime for its closure's context) for every tile, 15 % of
/// a strided 1x1's time.
public final class IndirectGemmMicrokernel: Sendable {
  public let name: String
  public let positions: Int
  public let lanes: Int
  /// The width of the weight panels it reads: `lanes`, or 16 for a kernel spanning `lanes / 16` panels
  /// `IndirectGemmTile.bPanelStride` apart.
  public let panelWidth: Int
  public let run: @Sendable (IndirectGemmTile) -> Void

  init(
    name: String, positions: Int, lanes: Int, panelWidth: Int? = nil,
    run: @escaping @Sendable (IndirectGemmTile) -> Void
  ) {
    self.name = name
    self.positions = positions
    self.lanes = lanes
    self.panelWidth = panelWidth ?? lanes
    self.run = run
  }
}

/// A grid-convolution microkernel: `mr` output channels × `nr` output positions on the lanes, reading the
/// input in place at one offset per reduction step (see `GridConvTile`).
/// A class, as `GemmMicrokernel` is, so that handing it around copies no name.
public final class GridConvMicrokernel: Sendable {
  public let name: String
  public let mr: Int
  public let nr: Int
  public let run: @Sendable (GridConvTile) -> Void

  init(name: String, mr: Int, nr: Int, run: @escaping @Sendable (GridConvTile) -> Void) {
    self.name = name
    self.mr = mr
    self.nr = nr
    self.run = run
  }
}

/// A channels-last grid microkernel: `mr` output positions × `nr` output channels of an image stem, reading
/// its row-major input's stride-phase grid at one offset per reduction step (see `ChannelsLastGridTile`).
/// A class, as `GemmMicrokernel` is, so that handing it around copies no name.
public final class ChannelsLastGridMicrokernel: Sendable {
  public let name: String
  public let mr: Int
  public let nr: Int
  public let run: @Sendable (ChannelsLastGridTile) -> Void

  init(name: String, mr: Int, nr: Int, run: @escaping @Sendable (ChannelsLastGridTile) -> Void) {
    self.name = name
    self.mr = mr
    self.nr = nr
    self.run = run
  }
}

/// A direct-convolution microkernel: `lanes` output channels × `positions` output positions read straight
/// from the input (see `DirectConvTile`).
/// A class, as `GemmMicrokernel` is, so that handing it around copies no name.
public final class DirectConvMicrokernel: Sendable {
  public let name: String
  public let lanes: Int
  public let positions: Int
  public let run: @Sendable (DirectConvTile) -> Void

  init(name: String, lanes: Int, positions: Int, run: @escaping @Sendable (DirectConvTile) -> Void) {
    self.name = name
    self.lanes = lanes
    self.positions = positions
    self.run = run
  }
}

/// A depthwise-convolution microkernel: `rows × columns` outputs of one channel (see `DepthwiseTile`).
/// A class, as `GemmMicrokernel` is, so that handing it around copies no name.
public final class DepthwiseMicrokernel: Sendable {
  public let name: String
  public let rows: Int
  public let columns: Int
  public let run: @Sendable (DepthwiseTile) -> Void

  init(name: String, rows: Int, columns: Int, run: @escaping @Sendable (DepthwiseTile) -> Void) {
    self.name = name
    self.rows = rows
    self.columns = columns
    self.run = run
  }
}

/// A pooling microkernel: `rows × columns` outputs of one plane (see `PoolTile`).
/// A class, as `GemmMicrokernel` is, so that handing it around copies no name.
public final class PoolMicrokernel: Sendable {
  public let name: String
  public let rows: Int
  public let columns: Int
  public let run: @Sendable (PoolTile) -> Void

  init(name: String, rows: Int, columns: Int, run: @escaping @Sendable (PoolTile) -> Void) {
    self.name = name
    self.rows = rows
    self.columns = columns
    self.run = run
  }
}

/// Every microkernel in this build, in one table (DESIGN.md §5): the operators take their kernels from here
/// and the kernel test grid iterates the same table against naive loops, so a kernel cannot be added without
/// being tested.
///
/// Names encode element type, operation, tile and instruction set (`f32_gemm_6x16_avx2`); the instruction
/// set is the one this build was compiled for (`BuildISA.name`).
public enum Microkernel: Sendable {
  case gemm(GemmMicrokernel)
  case indirectGemm(IndirectGemmMicrokernel)
  case directConv(DirectConvMicrokernel)
  case gridConv(GridConvMicrokernel)
  case channelsLastGrid(ChannelsLastGridMicrokernel)
  case depthwise(DepthwiseMicrokernel)
  case pool(PoolMicrokernel)
  /// `BinaryMicrokernels.run` with a fixed operation and operand pattern.
  case binary(BinaryOperation, BinaryPattern)
  /// `PointwiseFunction.apply`; the value carries representative parameters for the test grid.
  case pointwise(PointwiseFunction)
  /// `ScaleShiftMicrokernel.run`, with and without a residual, under every activation.
  case scaleShift
  /// `GatedSkipMicrokernel.run` with a fixed operand pattern.
  case gatedSkip(GatedSkipPattern)
  /// `DepthwiseGridMicrokernel`: a depthwise plane's sums over a flat grid of positions, and its epilogue.
  case depthwiseGrid
  /// `DepthwiseChannelMicrokernel` (16 channels on the lanes, one output row) and the position-major blocks
  /// it reads and writes (`ChannelBlockTranspose`).
  case depthwiseChannels
  /// `SoftmaxMicrokernel.run`: one contiguous row.
  case softmaxRow
  /// `SoftmaxMicrokernel.run(_:_:count:rows:stride:)`: rows of one length, four at a time.
  case softmaxRows
  /// `LayerNormMicrokernel`: one row's statistics and its normalization.
  case layerNormRow
  /// `TransposeMicrokernel8x8`: one tile of a permuting copy of four-byte elements.
  case transpose
  /// `DeinterleaveMicrokernel`: rows of 2 to 7 interleaved four-byte elements split into contiguous rows.
  case deinterleave
  /// `ChannelsLastDepthwiseMicrokernel`: a row segment of a channels-last depthwise convolution, every
  /// channel on the lanes.
  case channelsLastDepthwise
  /// `ChannelsLastDepthwisePlaneMicrokernel`: one block of 16 channels of a depthwise convolution over a
  /// padded copy of its input plane.
  case channelsLastDepthwisePlane
  /// `ChannelsLastPoolMicrokernel.run`: a row segment of channels-last max or average pooling.
  case channelsLastPool
  /// `ChannelsLastPoolMicrokernel.globalAverage`: up to 16 channels' means over a channels-last image.
  case channelsLastGlobalAverage

  public var name: String {
    switch self {
    case .gemm(let kernel): kernel.name
    case .indirectGemm(let kernel): kernel.name
    case .directConv(let kernel): kernel.name
    case .gridConv(let kernel): kernel.name
    case .channelsLastGrid(let kernel): kernel.name
    case .depthwise(let kernel): kernel.name
    case .pool(let kernel): kernel.name
    case .binary(let operation, let pattern): "f32_\(operation.rawValue)_\(pattern.rawValue)_x16_\(BuildISA.name)"
    case .pointwise(let function): "f32_\(function.name)_x16_\(BuildISA.name)"
    case .scaleShift: "f32_scale_shift_x16_\(BuildISA.name)"
    case .gatedSkip(let pattern): "f32_gated_skip_\(pattern.name)_x16_\(BuildISA.name)"
    case .depthwiseGrid: "f32_dwconv_grid_x16_\(BuildISA.name)"
    case .depthwiseChannels: "f32_dwconv_channels_x16_\(BuildISA.name)"
    case .softmaxRow: "f32_softmax_row_x16_\(BuildISA.name)"
    case .softmaxRows: "f32_softmax_rows_\(SoftmaxMicrokernel.groupRows)x16_\(BuildISA.name)"
    case .layerNormRow: "f32_layer_norm_row_x16_\(BuildISA.name)"
    case .transpose: "f32_transpose_8x8_\(BuildISA.name)"
    case .deinterleave: "f32_deinterleave_2_to_\(DeinterleaveMicrokernel.widest)_\(BuildISA.name)"
    case .channelsLastDepthwise:
      "f32_dwconv_channels_last_\(ChannelsLastDepthwiseMicrokernel.positions)x\(ChannelsLastDepthwiseMicrokernel.lanes)_\(BuildISA.name)"
    case .channelsLastDepthwisePlane:
      "f32_dwconv_padded_plane_\(ChannelsLastDepthwisePlaneMicrokernel.positions)x\(ChannelsLastDepthwisePlaneMicrokernel.lanes)_\(BuildISA.name)"
    case .channelsLastPool:
      "f32_pool_channels_last_\(ChannelsLastPoolMicrokernel.positions)x\(ChannelsLastPoolMicrokernel.lanes)_\(BuildISA.name)"
    case .channelsLastGlobalAverage: "f32_global_average_channels_last_x16_\(BuildISA.name)"
    }
  }
}

public enum MicrokernelRegistry {
  /// The GEMM kernel the dense operators use.
  public static let gemm = GemmMicrokernel(
    name: "f32_gemm_\(GemmMicrokernel6x16.mr)x\(GemmMicrokernel6x16.nr)_\(BuildISA.name)",
    mr: GemmMicrokernel6x16.mr, nr: GemmMicrokernel6x16.nr, aLayout: .panels, run: GemmMicrokernel6x16.run)

  /// The same tile reading a row-major A in place (MatMul's activations): no packing of A, so a GEMM cut
  /// into pieces over threads costs no more than a whole one.
  public static let gemmRowsA = GemmMicrokernel(
    name: "f32_gemm_\(GemmMicrokernel6x16.mr)x\(GemmMicrokernel6x16.nr)_rows_a_\(BuildISA.name)",
    mr: GemmMicrokernel6x16.mr, nr: GemmMicrokernel6x16.nr, aLayout: .rows, strip: gemmRowsAStrip,
    run: GemmMicrokernel6x16.runReadingRows)

  /// `gemmRowsA` over any number of rows and columns in one call (`GemmMicrokernel6x16.runReadingRowsStrip`).
  public static let gemmRowsAStrip = GemmMicrokernel(
    name: "f32_gemm_\(GemmMicrokernel6x16.mr)x\(GemmMicrokernel6x16.nr)_rows_a_strip_\(BuildISA.name)",
    mr: GemmMicrokernel6x16.mr, nr: GemmMicrokernel6x16.nr, aLayout: .rows, maximumRows: .max,
    maximumColumns: .max, run: GemmMicrokernel6x16.runReadingRowsStrip)

  /// Six rows of A read in place against 18 to 24 columns of B, three rows at a time
  /// (`GemmMicrokernel6x24.narrowRowsInThreeRowPasses`): GEMMs of 17 to 24 columns where vectors are 256 bits
  /// wide, one pass over A instead of a 16-column tile and an 8-column one.
  public static let gemmRowsAPanelAndHalf = GemmMicrokernel(
    name: "f32_gemm_\(GemmMicrokernel6x24.mr)x\(GemmMicrokernel6x24.nr)_rows_a_\(BuildISA.name)",
    mr: GemmMicrokernel6x24.mr, nr: GemmMicrokernel6x24.nr, aLayout: .rows, panelWidth: GemmMicrokernel6x16.nr,
    strip: gemmRowsAPanelAndHalfStrip, run: GemmMicrokernel6x24.narrowRowsInThreeRowPasses)

  /// `gemmRowsAPanelAndHalf` down any number of rows in one call.
  public static let gemmRowsAPanelAndHalfStrip = GemmMicrokernel(
    name: "f32_gemm_\(GemmMicrokernel6x24.mr)x\(GemmMicrokernel6x24.nr)_rows_a_strip_\(BuildISA.name)",
    mr: GemmMicrokernel6x24.mr, nr: GemmMicrokernel6x24.nr, aLayout: .rows, panelWidth: GemmMicrokernel6x16.nr,
    maximumRows: .max, run: GemmMicrokernel6x24.runReadingRowsInThreeRowPassesStrip)

  /// `gemmRowsA` that also prefetches a later tile's B panel (channels-last Winograd's products, B streamed
  /// from memory). The registry's closure hints the tile's own panel: any pointer takes the same path, and
  /// the results do not depend on it.
  public static let gemmRowsAPrefetching = GemmMicrokernel(
    name: "f32_gemm_\(GemmMicrokernel6x16.mr)x\(GemmMicrokernel6x16.nr)_rows_a_prefetching_\(BuildISA.name)",
    mr: GemmMicrokernel6x16.mr, nr: GemmMicrokernel6x16.nr, aLayout: .rows,
    run: { GemmMicrokernel6x16.runReadingRows($0, prefetching: $0.b) })

  /// Two 16-column panels per tile, A packed (`GemmMicrokernel6x32`): the tile the GEMMs use where vectors
  /// are 512 bits wide (`GemmDriver.tileKernel`).
  public static let gemmWide = GemmMicrokernel(
    name: "f32_gemm_\(GemmMicrokernel6x32.mr)x\(GemmMicrokernel6x32.nr)_\(BuildISA.name)",
    mr: GemmMicrokernel6x32.mr, nr: GemmMicrokernel6x32.nr, aLayout: .panels,
    panelWidth: GemmMicrokernel6x32.panelWidth, run: GemmMicrokernel6x32.run)

  /// Two packed 6-row panels of A against two 16-column panels of B (`GemmMicrokernel12x32`): the tile the
  /// GEMMs with a packed A use where vectors are 512 bits wide (`GemmDriver.tileKernel`).
  public static let gemmWideTall = GemmMicrokernel(
    name: "f32_gemm_\(GemmMicrokernel12x32.mr)x\(GemmMicrokernel12x32.nr)_\(BuildISA.name)",
    mr: GemmMicrokernel12x32.mr, nr: GemmMicrokernel12x32.nr, aLayout: .panels,
    panelWidth: GemmMicrokernel6x32.panelWidth, aPanelRows: GemmMicrokernel12x32.panelRows,
    run: GemmMicrokernel12x32.run)

  /// `gemmWide` reading A's rows in place.
  public static let gemmRowsAWide = GemmMicrokernel(
    name: "f32_gemm_\(GemmMicrokernel6x32.mr)x\(GemmMicrokernel6x32.nr)_rows_a_\(BuildISA.name)",
    mr: GemmMicrokernel6x32.mr, nr: GemmMicrokernel6x32.nr, aLayout: .rows,
    panelWidth: GemmMicrokernel6x32.panelWidth, strip: gemmRowsAWideStrip, run: GemmMicrokernel6x32.runReadingRows)

  /// `gemmRowsAWide` over any number of rows and columns in one call (`GemmMicrokernel6x32.runReadingRowsStrip`).
  public static let gemmRowsAWideStrip = GemmMicrokernel(
    name: "f32_gemm_\(GemmMicrokernel6x32.mr)x\(GemmMicrokernel6x32.nr)_rows_a_strip_\(BuildISA.name)",
    mr: GemmMicrokernel6x32.mr, nr: GemmMicrokernel6x32.nr, aLayout: .rows,
    panelWidth: GemmMicrokernel6x32.panelWidth, maximumRows: .max, maximumColumns: .max,
    run: GemmMicrokernel6x32.runReadingRowsStrip)

  /// Six rows of A read in place against four 16-column panels of B (`GemmMicrokernel6x64`): the tile of
  /// GEMMs of at least 64 columns with A read in place where vectors are 512 bits wide.
  public static let gemmRowsAWider = GemmMicrokernel(
    name: "f32_gemm_\(GemmMicrokernel6x64.mr)x\(GemmMicrokernel6x64.nr)_rows_a_\(BuildISA.name)",
    mr: GemmMicrokernel6x64.mr, nr: GemmMicrokernel6x64.nr, aLayout: .rows,
    panelWidth: GemmMicrokernel6x64.panelWidth, run: GemmMicrokernel6x64.runReadingRows)

  /// `gemmRowsAWide` that also prefetches a later tile's panels (channels-last Winograd); the registry's
  /// closure hints the tile's own panel, as `gemmRowsAPrefetching`'s does.
  public static let gemmRowsAWidePrefetching = GemmMicrokernel(
    name: "f32_gemm_\(GemmMicrokernel6x32.mr)x\(GemmMicrokernel6x32.nr)_rows_a_prefetching_\(BuildISA.name)",
    mr: GemmMicrokernel6x32.mr, nr: GemmMicrokernel6x32.nr, aLayout: .rows,
    panelWidth: GemmMicrokernel6x32.panelWidth, run: { GemmMicrokernel6x32.runReadingRows($0, prefetching: $0.b) })

  /// Twelve rows of A read in place against two 16-column panels, prefetching a later tile's panels
  /// (`GemmMicrokernel12x32.runReadingRows(_:prefetching:into:)`): channels-last Winograd's row groups of
  /// twelve tiles. The registry's closure hints the tile's own panel, as `gemmRowsAWidePrefetching`'s does.
  public static let gemmRowsAWideTallPrefetching = GemmMicrokernel(
    name: "f32_gemm_\(GemmMicrokernel12x32.mr)x\(GemmMicrokernel12x32.nr)_rows_a_prefetching_\(BuildISA.name)",
    mr: GemmMicrokernel12x32.mr, nr: GemmMicrokernel12x32.nr, aLayout: .rows,
    panelWidth: GemmMicrokernel6x32.panelWidth, run: { GemmMicrokernel12x32.runReadingRows($0, prefetching: $0.b) })

  /// Twelve rows of A read in place against one 16-column panel (`GemmMicrokernel12x16`): GEMMs of fewer than
  /// 32 columns where vectors are 512 bits wide.
  public static let gemmRowsATall = GemmMicrokernel(
    name: "f32_gemm_\(GemmMicrokernel12x16.mr)x\(GemmMicrokernel12x16.nr)_rows_a_\(BuildISA.name)",
    mr: GemmMicrokernel12x16.mr, nr: GemmMicrokernel12x16.nr, aLayout: .rows, run: GemmMicrokernel12x16.runReadingRows)

  /// Up to twelve rows of A read in place against fewer than 32 columns of B
  /// (`GemmMicrokernel6x24.narrowRowsReadingRows`): GEMMs that narrow where vectors are 512 bits wide, 18 to
  /// 24 columns in one pass over A (`GemmMicrokernel6x24`), others on `gemmRowsATall`'s kernel.
  public static let gemmRowsANarrow = GemmMicrokernel(
    name: "f32_gemm_\(GemmMicrokernel12x16.mr)x\(GemmMicrokernel6x32.nr)_narrow_rows_a_\(BuildISA.name)",
    mr: GemmMicrokernel12x16.mr, nr: GemmMicrokernel6x32.nr, aLayout: .rows,
    panelWidth: GemmMicrokernel6x16.nr, strip: gemmRowsANarrowStrip, run: GemmMicrokernel6x24.narrowRowsReadingRows)

  /// `gemmRowsANarrow` over any number of rows in one call (`GemmMicrokernel6x24.narrowRowsReadingRowsStrip`).
  public static let gemmRowsANarrowStrip = GemmMicrokernel(
    name: "f32_gemm_\(GemmMicrokernel12x16.mr)x\(GemmMicrokernel6x32.nr)_narrow_rows_a_strip_\(BuildISA.name)",
    mr: GemmMicrokernel12x16.mr, nr: GemmMicrokernel6x32.nr, aLayout: .rows,
    panelWidth: GemmMicrokernel6x16.nr, maximumRows: .max,
    run: GemmMicrokernel6x24.narrowRowsReadingRowsStrip)

  /// One row of A read in place: a GEMM whose A is a single row (a classifier at batch 1), bound by streaming
  /// B rather than by the 6-row tile's broadcasts.
  public static let gemmRow = GemmMicrokernel(
    name: "f32_gemm_\(GemmMicrokernel1x16.mr)x\(GemmMicrokernel1x16.nr)_rows_a_\(BuildISA.name)",
    mr: GemmMicrokernel1x16.mr, nr: GemmMicrokernel1x16.nr, aLayout: .rows, run: GemmMicrokernel1x16.run)

  /// The last single row of a block of A read in place, across up to four 16-wide panels of B, summed as the
  /// six-row kernels sum it (`GemmMicrokernelOneRow`).
  public static let gemmOneRow = GemmMicrokernel(
    name: "f32_gemm_1x\(GemmMicrokernelOneRow.maximumPanels * GemmMicrokernelOneRow.panelWidth)_rows_a_\(BuildISA.name)",
    mr: 1, nr: GemmMicrokernelOneRow.maximumPanels * GemmMicrokernelOneRow.panelWidth, aLayout: .rows,
    panelWidth: GemmMicrokernelOneRow.panelWidth, run: GemmMicrokernelOneRow.run)

  /// The last single position of a channels-last convolution block, across up to four 16-wide weight
  /// panels, summed as the six-position kernels sum it (`IndirectGemmMicrokernelOnePosition`).
  public static let indirectGemmOnePosition = IndirectGemmMicrokernel(
    name: "f32_igemm_1x\(GemmMicrokernelOneRow.maximumPanels * IndirectGemmMicrokernelOnePosition.panelWidth)_\(BuildISA.name)",
    positions: 1, lanes: GemmMicrokernelOneRow.maximumPanels * IndirectGemmMicrokernelOnePosition.panelWidth,
    panelWidth: IndirectGemmMicrokernelOnePosition.panelWidth, run: IndirectGemmMicrokernelOnePosition.run)

  /// The convolution kernel for windows larger than one pixel or strided, with enough output channels per
  /// group to fill the lanes.
  public static let directConv = DirectConvMicrokernel(
    name: "f32_conv_direct_\(DirectConvMicrokernel16x6.lanes)x\(DirectConvMicrokernel16x6.positions)_\(BuildISA.name)",
    lanes: DirectConvMicrokernel16x6.lanes, positions: DirectConvMicrokernel16x6.positions,
    run: DirectConvMicrokernel16x6.run)

  /// The kernel of channels-last convolutions: output positions on the rows, output channels on the lanes,
  /// each window's input positions read in place through per-tap pointers.
  public static let indirectGemm = IndirectGemmMicrokernel(
    name: "f32_igemm_\(IndirectGemmMicrokernel6x16.positions)x\(IndirectGemmMicrokernel6x16.lanes)_\(BuildISA.name)",
    positions: IndirectGemmMicrokernel6x16.positions, lanes: IndirectGemmMicrokernel6x16.lanes,
    run: IndirectGemmMicrokernel6x16.run)

  /// `indirectGemm` over two 16-channel panels per tile (`IndirectGemmMicrokernel6x32`): the tile channels-last
  /// convolutions use where vectors are 512 bits wide.
  public static let indirectGemmWide = IndirectGemmMicrokernel(
    name: "f32_igemm_\(IndirectGemmMicrokernel6x32.positions)x\(IndirectGemmMicrokernel6x32.lanes)_\(BuildISA.name)",
    positions: IndirectGemmMicrokernel6x32.positions, lanes: IndirectGemmMicrokernel6x32.lanes,
    panelWidth: IndirectGemmMicrokernel6x32.panelWidth, run: IndirectGemmMicrokernel6x32.run)

  /// `indirectGemm` over twelve positions per tile (`IndirectGemmMicrokernel12x16`): channels-last
  /// convolutions of 16 output channels per group where vectors are 512 bits wide.
  public static let indirectGemmTall = IndirectGemmMicrokernel(
    name: "f32_igemm_\(IndirectGemmMicrokernel12x16.positions)x\(IndirectGemmMicrokernel12x16.lanes)_\(BuildISA.name)",
    positions: IndirectGemmMicrokernel12x16.positions, lanes: IndirectGemmMicrokernel12x16.lanes,
    run: IndirectGemmMicrokernel12x16.run)

  /// `indirectGemm` over four 16-channel panels per tile (`IndirectGemmMicrokernel6x64`): channels-last
  /// convolutions with a long reduction on 512-bit vectors.
  public static let indirectGemmWider = IndirectGemmMicrokernel(
    name: "f32_igemm_\(IndirectGemmMicrokernel6x64.positions)x\(IndirectGemmMicrokernel6x64.lanes)_\(BuildISA.name)",
    positions: IndirectGemmMicrokernel6x64.positions, lanes: IndirectGemmMicrokernel6x64.lanes,
    panelWidth: IndirectGemmMicrokernel6x64.panelWidth, run: IndirectGemmMicrokernel6x64.run)

  /// The kernel of 2-D convolutions with a short reduction (few input channels: a network's stem) at stride
  /// 1 or 2, output positions on the lanes.
  public static let gridConv = GridConvMicrokernel(
    name: "f32_conv_grid_\(GridConvMicrokernel6x16.mr)x\(GridConvMicrokernel6x16.nr)_\(BuildISA.name)",
    mr: GridConvMicrokernel6x16.mr, nr: GridConvMicrokernel6x16.nr, run: GridConvMicrokernel6x16.run)

  /// `gridConv` over 32 positions per tile (`GridConvMicrokernel6x32`): the tile the grid method uses where
  /// vectors are 512 bits wide.
  public static let gridConvWide = GridConvMicrokernel(
    name: "f32_conv_grid_\(GridConvMicrokernel6x32.mr)x\(GridConvMicrokernel6x32.nr)_\(BuildISA.name)",
    mr: GridConvMicrokernel6x32.mr, nr: GridConvMicrokernel6x32.nr, run: GridConvMicrokernel6x32.run)

  /// The kernel of image stems that read row-major and write channels-last: output positions on the rows,
  /// output channels on the lanes.
  public static let channelsLastGrid = ChannelsLastGridMicrokernel(
    name: "f32_conv_grid_nhwc_\(ChannelsLastGridMicrokernel6x16.mr)x\(ChannelsLastGridMicrokernel6x16.nr)_\(BuildISA.name)",
    mr: ChannelsLastGridMicrokernel6x16.mr, nr: ChannelsLastGridMicrokernel6x16.nr,
    run: ChannelsLastGridMicrokernel6x16.run)

  /// `channelsLastGrid` over two 16-channel panels per tile, for 512-bit vectors.
  public static let channelsLastGridWide = ChannelsLastGridMicrokernel(
    name: "f32_conv_grid_nhwc_\(ChannelsLastGridMicrokernel6x32.mr)x\(ChannelsLastGridMicrokernel6x32.nr)_\(BuildISA.name)",
    mr: ChannelsLastGridMicrokernel6x32.mr, nr: ChannelsLastGridMicrokernel6x32.nr,
    run: ChannelsLastGridMicrokernel6x32.run)

  /// `channelsLastGrid` over four 16-channel panels per tile, for 512-bit vectors.
  public static let channelsLastGridWider = ChannelsLastGridMicrokernel(
    name: "f32_conv_grid_nhwc_\(ChannelsLastGridMicrokernel6x64.mr)x\(ChannelsLastGridMicrokernel6x64.nr)_\(BuildISA.name)",
    mr: ChannelsLastGridMicrokernel6x64.mr, nr: ChannelsLastGridMicrokernel6x64.nr,
    run: ChannelsLastGridMicrokernel6x64.run)

  /// The kernel of convolutions with one input channel per group (depthwise), any window and stride.
  public static let depthwise = DepthwiseMicrokernel(
    name: "f32_dwconv_\(DepthwiseMicrokernel4x16.rows)x\(DepthwiseMicrokernel4x16.columns)_\(BuildISA.name)",
    rows: DepthwiseMicrokernel4x16.rows, columns: DepthwiseMicrokernel4x16.columns, run: DepthwiseMicrokernel4x16.run)

  /// The kernel of 1-D and 2-D max pooling, and of average pooling with one divisor for every window.
  public static let pool = PoolMicrokernel(
    name: "f32_pool_\(PoolMicrokernel4x16.rows)x\(PoolMicrokernel4x16.columns)_\(BuildISA.name)",
    rows: PoolMicrokernel4x16.rows, columns: PoolMicrokernel4x16.columns, run: PoolMicrokernel4x16.run)

  /// One representative of every `PointwiseFunction` case (parameters chosen to exercise both branches).
  public static let pointwiseFunctions: [PointwiseFunction] = [
    .identity, .relu, .clip(min: -0.5, max: 0.75), .leakyRelu(alpha: 0.1), .sigmoid, .tanh,
    .hardSigmoid(alpha: 0.2, beta: 0.5), .hardSwish, .silu, .mish, .gelu, .geluTanh, .thresholdedRelu(alpha: 0.25),
    .scaledTanh(alpha: 1.5, beta: 0.5), .affine(alpha: 2, beta: -1), .elu(alpha: 0.7), .softsign, .softplus,
    .erf, .sqrt, .abs, .neg, .exp, .log, .ceil, .floor, .round, .reciprocal, .sin, .cos,
  ]

  /// The functions the kernel tests apply as an epilogue to a tile's sums: every case but `reciprocal`, whose
  /// `1/x` of a sum near zero magnifies the sum's rounding beyond any fixed tolerance. Reciprocal only ever runs
  /// as a unary step, and its own pointwise kernel is tested on exact inputs.
  public static let epilogueTestFunctions: [PointwiseFunction] = pointwiseFunctions.filter { $0 != .reciprocal }

  public static let all: [Microkernel] =
    [
      .gemm(gemm), .gemm(gemmRowsA), .gemm(gemmRowsAStrip), .gemm(gemmRowsAPanelAndHalf),
      .gemm(gemmRowsAPanelAndHalfStrip), .gemm(gemmRowsAPrefetching), .gemm(gemmRow), .gemm(gemmOneRow), .gemm(gemmWide),
      .gemm(gemmRowsAWide), .gemm(gemmRowsAWideStrip), .gemm(gemmRowsAWider), .gemm(gemmRowsAWidePrefetching),
      .gemm(gemmRowsAWideTallPrefetching), .gemm(gemmRowsATall), .gemm(gemmRowsANarrow), .gemm(gemmRowsANarrowStrip),
      .gemm(gemmWideTall), .indirectGemm(indirectGemm),
      .indirectGemm(indirectGemmWide), .indirectGemm(indirectGemmWider), .indirectGemm(indirectGemmOnePosition),
      .indirectGemm(indirectGemmTall),
      .directConv(directConv), .gridConv(gridConv), .gridConv(gridConvWide),
      .channelsLastGrid(channelsLastGrid), .channelsLastGrid(channelsLastGridWide),
      .channelsLastGrid(channelsLastGridWider), .depthwise(depthwise), .pool(pool),
    ]
    + BinaryOperation.allCases.flatMap { operation in
      BinaryPattern.allCases.map { Microkernel.binary(operation, $0) }
    }
    + pointwiseFunctions.map { Microkernel.pointwise($0) }
    + [.scaleShift]
    + GatedSkipPattern.all.map { Microkernel.gatedSkip($0) }
    + [.depthwiseGrid, .depthwiseChannels, .softmaxRow, .softmaxRows, .layerNormRow, .transpose, .deinterleave]
    + [.channelsLastDepthwise, .channelsLastDepthwisePlane, .channelsLastPool, .channelsLastGlobalAverage]
}
