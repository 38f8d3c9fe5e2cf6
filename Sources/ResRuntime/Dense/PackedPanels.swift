import ResKernels

/// A constant operand packed once, when the plan is loaded, into a microkernel's panel layout over the whole
/// reduction: panel `p` holds rows `p·width..<p·width+width` as `depth` groups of `width` values (zero-padded
/// past the last row). The GEMM's A operand uses `MR`-row panels; the direct convolution's weights use
/// panels as wide as its vector of output channels. Shared read-only by every runner of the plan.
final class PackedPanels: @unchecked Sendable {
  let rows: Int
  let depth: Int
  let width: Int
  private let memory: AlignedMemory

  /// The packed size in floats of an `rows × depth` operand.
  static func floats(rows: Int, depth: Int, width: Int) -> Int {
    (rows + width - 1) / width * width * depth
  }

  /// Packs `rows × depth` elements read as `source[i·rowStride + k·depthStride]` into panels of `width` rows
  /// (the GEMM microkernel's `MR` unless told otherwise).
  init(
    _ source: UnsafePointer<Float>, rowStride: Int, depthStride: Int, rows: Int, depth: Int,
    width: Int = GemmDriver.kernel.mr
  ) throws(RuntimeError) {
    self.rows = rows
    self.depth = depth
    self.width = width
    let count = PackedPanels.floats(rows: rows, depth: depth, width: width)
    memory = try AlignedMemory.allocate(count * 4, for: "prepacked weights")
    let panel = memory.floats(count: count)
    var row = 0
    while row < rows {
      PanelPacking.packRows(
        source + row * rowStride, rowStride: rowStride, depthStride: depthStride, rows: min(width, rows - row),
        depth: depth, width: width, into: panel + (row / width) * depth * width)
      row += width
    }
  }

  var base: UnsafePointer<Float> {
    UnsafePointer(memory.base.assumingMemoryBound(to: Float.self))
  }

  /// Panel `index` (rows `index·width..<index·width+width`).
  func panel(_ index: Int) -> UnsafePointer<Float> {
    base + index * depth * width
  }
}
