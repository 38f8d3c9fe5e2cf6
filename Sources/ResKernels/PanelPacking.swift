/// Copies matrix blocks into the panel layout the GEMM microkernels read (B panels; rows of A and constant
/// weights are packed by `PanelLayout.packRows` in ResPlan, which the compiler uses too).
///
/// A panel holds, for each reduction step `k`, `width` consecutive values (MR rows of A, or NR columns of B),
/// zero-filled past the valid ones: the microkernel then runs the same loop on an edge tile as on a full one.
/// Sources are read through arbitrary strides, so a transposed operand costs nothing extra here.
public enum PanelPacking {
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
