/// One axis of a Slice after ONNX's clamping rules: the first index taken and how many are taken.
///
/// Negative starts and ends count from the end; then, for a positive step, both clamp to `[0, size]`; for a
/// negative step, the start clamps to `[0, size-1]` and the end to `[-1, size-1]`. Hostile values
/// (`Int64.min`, a step of `Int64.min`) cannot overflow: every intermediate stays within `size + 1` of zero.
package struct SliceBounds: Equatable {
  package let start: Int
  package let count: Int

  package init(start: Int, end: Int, step: Int, size: Int) {
    guard size > 0 else {
      self.start = 0
      self.count = 0
      return
    }
    let upper = step < 0 ? size - 1 : size
    let first = min(max(start < 0 ? start + size : start, 0), upper)
    let last = min(max(end < 0 ? end + size : end, step < 0 ? -1 : 0), upper)
    let distance = step < 0 ? first - last : last - first
    let stride = step == Int.min ? Int.max : abs(step)
    self.start = first
    self.count = distance <= 0 ? 0 : distance / stride + (distance % stride == 0 ? 0 : 1)
  }

  /// Bounds this large stand for "to the end": exporters write `Int64.max`, and no real axis has 2³¹ entries.
  static let unbounded = Int(Int32.max)

  /// Whether slicing with these parameters keeps every element of an axis of any size, so a symbolic size
  /// survives: `0:∞:1`, or the full reversal `∞:-∞:-1`.
  static func keepsWholeAxis(start: Int, end: Int, step: Int) -> Bool {
    (step == 1 && (start == 0 || start <= -unbounded) && end >= unbounded)
      || (step == -1 && start >= unbounded && end <= -unbounded)
  }
}

extension NodeContext {
  /// Slice: data, starts, ends, axes?, steps?. Axes may be negative here (they are an operand, which the
  /// importer does not rewrite). Where the starts, ends or steps of an axis are not known, that axis becomes
  /// unknown; when the axes themselves are not known, every axis does.
  func slice() throws(ModelError) -> TensorType {
    let data = try operand(0)
    let lengths = try sliceOperandLengths()
    guard let axes = try sliceAxes(rank: data.rank, count: lengths) else {
      return TensorType(data.dtype, [Dim](repeating: .unknown, count: data.rank))
    }
    var shape = data.shape
    for (index, axis) in axes.enumerated() {
      guard let parameters = try sliceParameters(at: index) else {
        shape[axis] = .unknown
        continue
      }
      switch data.shape[axis] {
      case .known(let size):
        shape[axis] = .known(
          SliceBounds(start: parameters.start, end: parameters.end, step: parameters.step, size: size).count)
      case .symbol, .unknown:
        let keeps = SliceBounds.keepsWholeAxis(start: parameters.start, end: parameters.end, step: parameters.step)
        shape[axis] = keeps ? data.shape[axis] : .unknown
      }
    }
    return TensorType(data.dtype, shape)
  }

  /// Checks the index operands' types and returns their common length, when known.
  private func sliceOperandLengths() throws(ModelError) -> Int? {
    try requireDType(try operand(1), .indices, "starts")
    try requireSameDType([1, 2, 3, 4])
    var length: (name: String, value: Int)?
    for (slot, name) in [(1, "starts"), (2, "ends"), (3, "axes"), (4, "steps")] {
      guard let type = optionalOperand(slot) else { continue }
      try requireRank(type, 1, name)
      guard case .known(let value) = type.shape[0] else { continue }
      if let length, length.value != value {
        throw error("\(name) has \(value) elements but \(length.name) has \(length.value)")
      }
      length = length ?? (name, value)
    }
    return length?.value
  }

  /// The sliced axes, normalized and validated; `nil` when they are not known.
  private func sliceAxes(rank: Int, count: Int?) throws(ModelError) -> [Int]? {
    guard node.input(3) != nil else {
      guard let count else { return nil }
      guard count <= rank else { throw error("starts has \(count) elements but the data has rank \(rank)") }
      return Array(0..<count)
    }
    guard let raw = integers(3) else { return nil }
    let axes = raw.map { $0 < 0 ? $0 + rank : $0 }
    try requireDistinctAxes(axes, rank: rank)
    return axes
  }

  /// Start, end and step of the `index`-th sliced axis, when all three are known.
  private func sliceParameters(at index: Int) throws(ModelError) -> (start: Int, end: Int, step: Int)? {
    func element(_ slot: Int) -> Int? {
      guard let elements = elements(slot), index < elements.count else { return nil }
      return elements[index]?.constant
    }
    let step = node.input(4) == nil ? 1 : element(4)
    if step == 0 { throw error("steps must not be 0") }
    guard let start = element(1), let end = element(2), let step else { return nil }
    return (start, end, step)
  }
}
