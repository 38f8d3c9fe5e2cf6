import ResKernels
import ResPlan

/// A constant operand in a microkernel's panel layout over the whole reduction: panel `p` holds rows
/// `p·width..<p·width+width` as `depth` groups of `width` values (zero-padded past the last row). The GEMM's A
/// operand uses `MR`-row panels; the direct convolution's weights use panels as wide as its vector of output
/// channels. Either the plan's own bytes, packed by the compiler and used in place from the mapped file, or
/// packed once when the plan is loaded (`StepOperands.panels(of:layout:)` decides). Shared read-only by every
/// runner of the plan.
final class PackedPanels: @unchecked Sendable {
  let rows: Int
  let depth: Int
  let width: Int
  let base: UnsafePointer<Float>
  /// The packed copy this object owns, or nil when `base` points into the plan (which outlives its operators).
  private let memory: AlignedMemory?

  /// The packed size in floats of an `rows × depth` operand.
  static func floats(rows: Int, depth: Int, width: Int) -> Int {
    (rows + width - 1) / width * width * depth
  }

  /// Packs `rows × depth` elements read as `source[i·rowStride + k·depthStride]` into panels of `width` rows
  /// (the GEMM microkernel's `MR` unless told otherwise).
  convenience init(
    _ source: UnsafePointer<Float>, rowStride: Int, depthStride: Int, rows: Int, depth: Int,
    width: Int = GemmDriver.kernel.mr
  ) throws(RuntimeError) {
    try self.init(
      source,
      layout: PanelLayout(
        width: width, matrices: 1, rows: rows, depth: depth, matrixStride: 0, rowStride: rowStride,
        depthStride: depthStride))
  }

  /// Packs one matrix of `layout` (its first; `source` is at the matrix's first element).
  init(_ source: UnsafePointer<Float>, layout: PanelLayout) throws(RuntimeError) {
    rows = layout.rows
    depth = layout.depth
    width = layout.width
    let count = layout.floatsPerMatrix
    let memory = try AlignedMemory.allocate(count * 4, for: "prepacked weights")
    let matrix = PanelLayout(
      width: width, matrices: 1, rows: rows, depth: depth, matrixStride: 0, rowStride: layout.rowStride,
      depthStride: layout.depthStride)
    matrix.pack(source, into: memory.floats(count: count))
    base = UnsafePointer(memory.floats(count: count))
    self.memory = memory
  }

  /// Panels already packed at `base`, owned by whoever keeps the plan alive.
  init(borrowing base: UnsafePointer<Float>, rows: Int, depth: Int, width: Int) {
    self.rows = rows
    self.depth = depth
    self.width = width
    self.base = base
    memory = nil
  }

  /// Whether the panels are the plan's own bytes, used in place.
  var isBorrowed: Bool { memory == nil }

  /// Panel `index` (rows `index·width..<index·width+width`).
  func panel(_ index: Int) -> UnsafePointer<Float> {
    base + index * depth * width
  }
}
