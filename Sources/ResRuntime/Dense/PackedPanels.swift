import ResKernels

/// A constant A operand packed once, when the plan is loaded, into the microkernel's `MR`-row panel layout
/// over the whole reduction: panel `p` holds rows `p·MR..<p·MR+MR` as `k` groups of `MR` values (zero-padded
/// past the last row). Shared read-only by every runner of the plan.
final class PackedPanels: @unchecked Sendable {
  let rows: Int
  let depth: Int
  private let memory: AlignedMemory

  /// The packed size in floats of an `rows × depth` operand.
  static func floats(rows: Int, depth: Int) -> Int {
    let mr = GemmDriver.kernel.mr
    return (rows + mr - 1) / mr * mr * depth
  }

  /// Packs `rows × depth` elements read as `source[i·rowStride + k·depthStride]`.
  init(
    _ source: UnsafePointer<Float>, rowStride: Int, depthStride: Int, rows: Int, depth: Int
  ) throws(RuntimeError) {
    self.rows = rows
    self.depth = depth
    let count = PackedPanels.floats(rows: rows, depth: depth)
    memory = try AlignedMemory.allocate(count * 4, for: "prepacked weights")
    let panel = memory.floats(count: count)
    let mr = GemmDriver.kernel.mr
    var row = 0
    while row < rows {
      PanelPacking.packRows(
        source + row * rowStride, rowStride: rowStride, depthStride: depthStride, rows: min(mr, rows - row),
        depth: depth, width: mr, into: panel + (row / mr) * depth * mr)
      row += mr
    }
  }

  var base: UnsafePointer<Float> {
    UnsafePointer(memory.base.assumingMemoryBound(to: Float.self))
  }
}
