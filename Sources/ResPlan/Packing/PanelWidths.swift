/// The panel widths of the microkernels that read packed weights: a GEMM's A panels (`MR` rows) and B panels
/// (`NR` columns), and the direct convolution's output-channel lanes.
///
/// The compiler packs for `PanelWidths.target`; the runtime asks for the widths of the kernels it was built
/// with (`MicrokernelRegistry`), and a test keeps the two equal so plans are used in place. A runtime built
/// with other kernels still loads such plans: it sees a packing that is not the one it wants and repacks.
public struct PanelWidths: Sendable, Hashable {
  public var gemmRows: Int
  public var gemmColumns: Int
  public var directConvLanes: Int

  public init(gemmRows: Int, gemmColumns: Int, directConvLanes: Int) {
    self.gemmRows = gemmRows
    self.gemmColumns = gemmColumns
    self.directConvLanes = directConvLanes
  }

  /// What the code generator packs for: the x86 AVX2 kernels (6×16 GEMM, 16-lane direct convolution).
  public static let target = PanelWidths(gemmRows: 6, gemmColumns: 16, directConvLanes: 16)
}
