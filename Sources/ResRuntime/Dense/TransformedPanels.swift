import ResKernels

/// B as a matrix of contiguous rows (`base[k·depthStride + j]`) whose row `k` is transformed by
/// `act(x·scale[k] + shift[k])` while it is packed: a pointwise convolution's input prologue, applied in the
/// same pass that copies X into the GEMM's panels, so the transformed input never exists in memory.
struct TransformedPanels: PanelSource {
  let base: UnsafePointer<Float>
  let depthStride: Int
  let transform: ChannelTransform

  func packPanel(
    depthStart: Int, depth: Int, columnStart: Int, columns: Int, width: Int, into panel: UnsafeMutablePointer<Float>
  ) {
    PanelPacking.packColumns(
      base + depthStart * depthStride + columnStart, depthStride: depthStride, columnStride: 1, columns: columns,
      depth: depth, width: width, transform: transform.advanced(by: depthStart), into: panel)
  }
}
