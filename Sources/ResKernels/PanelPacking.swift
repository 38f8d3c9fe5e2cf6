/// Copies matrix blocks into the panel layout the GEMM microkernels read.
///
/// A panel holds, for each reduction step `k`, `width` consecutive values (MR rows of A, or NR columns of B),
/// zero-filled past the valid ones: the microkernel then runs the same loop on an edge tile as on a full one.
/// Sources are read through arbitrary strides, so a transposed operand costs nothing extra here.
public enum PanelPacking {
  /// `panel[k·width + i] = source[i·rowStride + k·depthStride]` for `i < rows`, 0 for `rows ≤ i < width`.
  /// Packs an A panel (`rows` of A, `depth` reduction steps).
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
  /// activation row this way, and in a ViT the generic loop (a loop over the rows and another over the
  /// zero padding at every reduction step) took 15 % of the run.
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

  /// `panel[k·width + j] = source[k·depthStride + j·columnStride]` for `j < columns`, 0 up to `width`.
  /// Packs a B panel (`columns` of B, `depth` reduction steps); contiguous rows are copied a vector at a time.
  public static func packColumns(
    _ source: UnsafePointer<Float>, depthStride: Int, columnStride: Int, columns: Int, depth: Int, width: Int,
    into panel: UnsafeMutablePointer<Float>
  ) {
    if columnStride == 1 && width == 16 {
      for k in 0..<depth {
        VectorAccess.store(VectorAccess.loadPartial(source + k * depthStride, columns), panel + k * 16)
      }
      return
    }
    for k in 0..<depth {
      let destination = panel + k * width
      let row = source + k * depthStride
      for j in 0..<columns { destination[j] = row[j * columnStride] }
      for j in columns..<width { destination[j] = 0 }
    }
  }
}
