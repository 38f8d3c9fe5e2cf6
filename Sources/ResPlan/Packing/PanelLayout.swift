/// The panel layout a microkernel reads a constant operand in, and the pure transforms into and out of it.
///
/// One description serves the compiler, which packs weights into the plan (ResCodegen), and the runtime, which
/// computes the layout each step's kernel wants and uses a plan's packed bytes in place when they are in exactly
/// that layout (ResRuntime). The operand is `matrices` matrices of `rows × depth` elements; each is stored as
/// `⌈rows / width⌉` panels of `depth × width` floats: panel `p` holds rows `p·width ..< p·width + width`, for
/// each reduction step `k` its `width` values side by side, zeros past the last row. Element `(m, r, k)` is
/// read from the row-major tensor at `m·matrixStride + r·rowStride + k·depthStride`, so a transposed operand, a
/// convolution's `[M, C/g, kh, kw]` weights and a MatMul's `[batch, K, N]` B are all just strides.
/// (plan.proto's `PanelPacking` is this value on the wire.)
public struct PanelLayout: Sendable, Hashable, CustomStringConvertible {
  /// The largest panel width a plan may declare: wider than any vector of floats, small enough that sizes
  /// computed from it cannot overflow once the element count is known not to.
  public static let widestPanel = 64

  public let width: Int
  public let matrices: Int
  public let rows: Int
  public let depth: Int
  public let matrixStride: Int
  public let rowStride: Int
  public let depthStride: Int

  public init(width: Int, matrices: Int, rows: Int, depth: Int, matrixStride: Int, rowStride: Int, depthStride: Int) {
    self.width = width
    self.matrices = matrices
    self.rows = rows
    self.depth = depth
    self.matrixStride = matrixStride
    self.rowStride = rowStride
    self.depthStride = depthStride
  }

  /// Floats of one matrix's panels (its rows rounded up to a whole panel).
  public var floatsPerMatrix: Int { (rows + width - 1) / width * width * depth }

  /// Floats of the whole packed operand.
  public var floatCount: Int { matrices * floatsPerMatrix }

  public var description: String {
    "\(matrices)x\(rows)x\(depth) in \(width)-wide panels, strides \(matrixStride)/\(rowStride)/\(depthStride)"
  }

  /// Why this layout cannot describe a tensor of `elementCount` floats, or nil when it can: the width is 1 to
  /// `widestPanel`, the matrices cover exactly the elements, every element index lies inside the tensor, and
  /// the packed size does not overflow. A plan's descriptors are untrusted; this runs before any is used.
  public func problem(elementCount: Int) -> String? {
    guard (1...Self.widestPanel).contains(width) else { return "panel width \(width) is not 1 to \(Self.widestPanel)" }
    guard matrices >= 0, rows >= 0, depth >= 0, matrixStride >= 0, rowStride >= 0, depthStride >= 0 else {
      return "a size or stride is negative"
    }
    let (perMatrix, overflow) = rows.multipliedReportingOverflow(by: depth)
    let (covered, tooMany) = perMatrix.multipliedReportingOverflow(by: matrices)
    guard !overflow, !tooMany, covered == elementCount else {
      return "\(matrices) matrices of \(rows)x\(depth) do not cover the \(elementCount) elements"
    }
    guard covered > 0 else { return nil }
    var last = 0
    for (count, stride) in [(matrices, matrixStride), (rows, rowStride), (depth, depthStride)] {
      let (reach, reachOverflow) = (count - 1).multipliedReportingOverflow(by: stride)
      let (sum, sumOverflow) = last.addingReportingOverflow(reach)
      guard !reachOverflow, !sumOverflow else { return "the strides overflow" }
      last = sum
    }
    guard last < elementCount else { return "the strides reach element \(last) of \(elementCount)" }
    // Padding at most doubles a matrix (width ≤ 64 extra rows per panel run); check the product anyway.
    let panels = (rows + width - 1) / width
    let (padded, paddedOverflow) = (panels * width).multipliedReportingOverflow(by: depth)
    let (total, totalOverflow) = padded.multipliedReportingOverflow(by: matrices)
    let (bytes, bytesOverflow) = total.multipliedReportingOverflow(by: 4)
    guard !paddedOverflow, !totalOverflow, !bytesOverflow, bytes >= 0 else { return "the packed size overflows" }
    return nil
  }

  /// Packs the row-major tensor at `source` into `destination` (`floatCount` floats).
  public func pack(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>) {
    for matrix in 0..<matrices {
      let from = source + matrix * matrixStride
      let to = destination + matrix * floatsPerMatrix
      var row = 0
      while row < rows {
        Self.packRows(
          from + row * rowStride, rowStride: rowStride, depthStride: depthStride, rows: min(width, rows - row),
          depth: depth, width: width, into: to + row * depth)
        row += width
      }
    }
  }

  /// The inverse of `pack`: writes every element of the packed operand back to its row-major place in
  /// `destination` (a tensor of `matrices·rows·depth` floats). Used when a plan's packing is not the one the
  /// runtime's kernel reads, to repack from.
  public func unpack(_ packed: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>) {
    for matrix in 0..<matrices {
      let panels = packed + matrix * floatsPerMatrix
      for row in 0..<rows {
        let panel = panels + row / width * width * depth + row % width
        let target = destination + matrix * matrixStride + row * rowStride
        for k in 0..<depth { target[k * depthStride] = panel[k * width] }
      }
    }
  }

  /// One panel: `panel[k·width + i] = source[i·rowStride + k·depthStride]` for `i < rows`, 0 for
  /// `rows ≤ i < width`. Also how the GEMM packs a block of a computed A while it runs.
  public static func packRows(
    _ source: UnsafePointer<Float>, rowStride: Int, depthStride: Int, rows: Int, depth: Int, width: Int,
    into panel: UnsafeMutablePointer<Float>
  ) {
    if rows == 6 && width == 6 {
      packSixRows(source, rowStride: rowStride, depthStride: depthStride, depth: depth, into: panel)
      return
    }
    for k in 0..<depth {
      let destination = panel + k * width
      let column = source + k * depthStride
      for i in 0..<rows { destination[i] = column[i * rowStride] }
      for i in rows..<width { destination[i] = 0 }
    }
  }

  /// A full panel of the 6 × 16 GEMM kernel, six row pointers and no inner loop: a MatMul packs every
  /// activation row this way at run time, and in a ViT the generic loop (a loop over the rows and another over
  /// the zero padding at every reduction step) took 15 % of the run.
  @inline(__always)
  private static func packSixRows(
    _ source: UnsafePointer<Float>, rowStride: Int, depthStride: Int, depth: Int,
    into panel: UnsafeMutablePointer<Float>
  ) {
    let (r0, r1, r2) = (source, source + rowStride, source + 2 * rowStride)
    let (r3, r4, r5) = (source + 3 * rowStride, source + 4 * rowStride, source + 5 * rowStride)
    var destination = panel
    var offset = 0
    for _ in 0..<depth {
      destination[0] = r0[offset]
      destination[1] = r1[offset]
      destination[2] = r2[offset]
      destination[3] = r3[offset]
      destination[4] = r4[offset]
      destination[5] = r5[offset]
      destination += 6
      offset += depthStride
    }
  }
}
