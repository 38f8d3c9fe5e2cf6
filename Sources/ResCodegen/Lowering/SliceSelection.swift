/// One axis of a Slice after ONNX's clamping rules: the first index taken and how many are taken.
///
/// Negative starts and ends count from the end; then a positive step clamps both to `[0, size]`, a negative
/// step clamps the start to `[0, size − 1]` and the end to `[−1, size − 1]` (so PyTorch's `Int64.max` ends select
/// to the end of the axis). Hostile values (`Int.min`) cannot overflow: after clamping, every intermediate is
/// within `size + 1` of zero.
struct SliceSelection: Equatable {
  let first: Int
  let count: Int

  init(start: Int, end: Int, step: Int, size: Int) {
    guard size > 0, step != 0 else {
      (first, count) = (0, 0)
      return
    }
    let upper = step < 0 ? size - 1 : size
    let begin = min(max(start < 0 ? start + size : start, 0), upper)
    let finish = min(max(end < 0 ? end + size : end, step < 0 ? -1 : 0), upper)
    let distance = step < 0 ? begin - finish : finish - begin
    let stride = step.magnitude
    first = begin
    count = distance <= 0 ? 0 : Int((UInt(distance) + stride - 1) / stride)
  }
}
