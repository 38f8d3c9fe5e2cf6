import ResPlan

/// The parameters of `copy` steps (CopyParams: for every index i of `shape`,
/// `out[dst_offset + Σ i_k·dst_strides_k] = in[src_offset + Σ i_k·src_strides_k]`, in elements), built from
/// row-major strides. Transpose, Slice, Expand, Concat and Split are all one such copy, or one per piece.
enum StridedCopy {
  /// Row-major strides of `dims`, in elements. Callers pass shapes whose element count is known to fit.
  static func rowMajorStrides(_ dims: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: dims.count)
    var running = 1
    for axis in dims.indices.reversed() {
      strides[axis] = running
      running *= max(dims[axis], 1)
    }
    return strides
  }

  /// A copy of `shape` elements read at `source` strides from `sourceOffset`, written at `target` strides from
  /// `targetOffset`.
  static func params(
    shape: [Int], sourceOffset: Int = 0, sourceStrides: [Int], targetOffset: Int = 0, targetStrides: [Int]
  ) -> Rescompile_Plan_CopyParams {
    var params = Rescompile_Plan_CopyParams()
    params.shape = shape.map(Int64.init)
    params.srcOffset = Int64(sourceOffset)
    params.srcStrides = sourceStrides.map(Int64.init)
    params.dstOffset = Int64(targetOffset)
    params.dstStrides = targetStrides.map(Int64.init)
    return params
  }

  /// A plain copy of a whole tensor.
  static func contiguous(_ dims: [Int]) -> Rescompile_Plan_CopyParams {
    let strides = rowMajorStrides(dims)
    return params(shape: dims, sourceStrides: strides, targetStrides: strides)
  }
}
