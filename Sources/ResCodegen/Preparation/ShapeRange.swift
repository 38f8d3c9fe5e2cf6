/// The part of a shape that ONNX's `Shape(start, end)` returns: negative bounds count from the end, then both
/// clamp to `[0, rank]`; an empty range gives an empty shape.
enum ShapeRange {
  static func slice(_ dims: [Int], start: Int, end: Int?) -> [Int] {
    let rank = dims.count
    func clamp(_ bound: Int) -> Int { min(max(bound < 0 ? bound + rank : bound, 0), rank) }
    let lower = clamp(start)
    let upper = clamp(end ?? rank)
    return lower < upper ? Array(dims[lower..<upper]) : []
  }
}
