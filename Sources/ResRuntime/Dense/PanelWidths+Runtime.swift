import ResKernels
import ResPlan

extension PanelWidths {
  /// The widths of the kernels this runtime was built with: the layouts it asks a plan's weights to be in.
  static let runtime = PanelWidths(
    gemmRows: MicrokernelRegistry.gemm.mr, gemmColumns: MicrokernelRegistry.gemm.nr,
    directConvLanes: MicrokernelRegistry.directConv.lanes)
}
