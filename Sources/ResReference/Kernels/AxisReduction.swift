/// A tensor seen as `[outer, axis, inner]` around one axis: the layout every reduction and normalization along
/// an axis walks. Element `(o, a, i)` is at `(o·axisSize + a)·inner + i`.
struct AxisReduction {
  var outer: Int
  var axisSize: Int
  var inner: Int

  init(shape: [Int], axis: Int) {
    outer = shape[..<axis].reduce(1, *)
    axisSize = shape[axis]
    inner = shape[(axis + 1)...].reduce(1, *)
  }

  /// The positions of the `axisSize` elements of the line through `(o, ·, i)`.
  func line(outer o: Int, inner i: Int) -> StrideTo<Int> {
    let start = o * axisSize * inner + i
    return stride(from: start, to: start + axisSize * inner, by: inner)
  }
}
