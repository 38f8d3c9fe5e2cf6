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

  /// The strides of `dims` (logical order `[N, C, spatial...]`) in the bytes of a tensor stored channels-last
  /// (`[N, spatial..., C]`): the channel axis is contiguous, each spatial axis steps over whole positions. With
  /// them a copy of a channels-last tensor (a Concat, Split or Slice inside a channels-last region) is the same
  /// strided walk as a row-major one, over the same logical indices.
  static func channelsLastStrides(_ dims: [Int]) -> [Int] {
    guard dims.count >= 3 else { return rowMajorStrides(dims) }
    var strides = [Int](repeating: 1, count: dims.count)
    var running = max(dims[1], 1)
    for axis in (2..<dims.count).reversed() {
      strides[axis] = running
      running *= max(dims[axis], 1)
    }
    strides[0] = running
    return strides
  }

  /// The strides of `tensor`'s logical axes in its storage, whichever layout it has.
  static func storageStrides(_ tensor: PlanTensor) -> [Int] {
    tensor.isChannelsLast ? channelsLastStrides(tensor.dims) : rowMajorStrides(tensor.dims)
  }

  /// A copy of `shape` elements read at `source` strides from `sourceOffset`, written at `target` strides from
  /// `targetOffset`.
  ///
  /// The axes are listed in the order the target stores them (its strides decreasing, ties in logical order):
  /// the runtime walks the last listed axis as a row, so a channels-last target's rows are its contiguous
  /// channels (one short `memcpy` per position for a channel slice) instead of its spatial axis at a stride of
  /// the channel count (one element at a time). A row-major target's axes are already in that order.
  static func params(
    shape: [Int], sourceOffset: Int = 0, sourceStrides: [Int], targetOffset: Int = 0, targetStrides: [Int]
  ) -> Rescompile_Plan_CopyParams {
    let order = shape.indices.sorted { targetStrides[$0] > targetStrides[$1] || (targetStrides[$0] == targetStrides[$1] && $0 < $1) }
    var params = Rescompile_Plan_CopyParams()
    params.shape = order.map { Int64(shape[$0]) }
    params.srcOffset = Int64(sourceOffset)
    params.srcStrides = order.map { Int64(sourceStrides[$0]) }
    params.dstOffset = Int64(targetOffset)
    params.dstStrides = order.map { Int64(targetStrides[$0]) }
    return params
  }

  /// A plain copy of a whole tensor.
  static func contiguous(_ dims: [Int]) -> Rescompile_Plan_CopyParams {
    let strides = rowMajorStrides(dims)
    return params(shape: dims, sourceStrides: strides, targetStrides: strides)
  }
}
