/// The elements of a small tensor that shape inference knows before run time, in row-major order.
///
/// Exporters compute shapes, pads and slice bounds with ordinary tensor ops on small tensors: PyTorch's
/// `F.pad` reshapes its pad list to `[-1, 2]`, reverses the rows with a negative-step Slice and transposes
/// them. So inference tracks tensors of any rank, as long as they are small (`ShapeInference.tracks`).
///
/// `shape` is the value's static type, always fully known. An element is `nil` where it is not known (a
/// Concat of a known and an unknown piece); a known element may be a symbolic size (`N`, `64·N`).
///
/// The data movement here never traps on odd input: elements are read through `element(at:)`, which answers
/// `nil` outside the tensor, and every new arrangement is built by `generate`, which refuses shapes beyond the
/// tracking limit (a reshape or an elementwise map keeps the element count it was given).
struct KnownTensor: Hashable, Sendable {
  let shape: [Int]
  let elements: [Monomial?]

  /// `nil` unless `elements` has exactly one element per entry of `shape`.
  init?(shape: [Int], elements: [Monomial?]) {
    guard TensorType.checkedProduct(shape) == elements.count else { return nil }
    self.shape = shape
    self.elements = elements
  }

  /// A vector.
  init(vector elements: [Monomial?]) {
    shape = [elements.count]
    self.elements = elements
  }

  /// Every element `element`.
  static func filled(shape: [Int], with element: Monomial?) -> KnownTensor? {
    generate(shape: shape) { _ in element }
  }

  /// A tensor of a known small `shape` none of whose elements is known: a Concat piece or a Where branch
  /// that inference knows nothing about.
  static func unknown(shape: [Int]) -> KnownTensor? {
    filled(shape: shape, with: nil)
  }

  var rank: Int { shape.count }

  /// Whether anything is known at all; a tensor of unknowns is not worth remembering.
  var hasKnownElement: Bool { elements.contains { $0 != nil } }

  /// The element at `coordinates`; `nil` when unknown or outside the tensor.
  func element(at coordinates: [Int]) -> Monomial? {
    // A non-empty tensor has at most `trackedElementLimit` elements, so the offset arithmetic cannot overflow.
    guard coordinates.count == rank, !elements.isEmpty else { return nil }
    var offset = 0
    var stride = 1
    for axis in shape.indices.reversed() {
      guard shape[axis] > coordinates[axis], coordinates[axis] >= 0 else { return nil }
      offset += coordinates[axis] * stride
      stride *= shape[axis]
    }
    return elements[offset]
  }

  /// Builds a tensor of `shape`, asking `element` for each coordinate in row-major order (an odometer, so no
  /// division and no recursion). `nil` when `shape` has more elements than inference tracks.
  static func generate(shape: [Int], _ element: ([Int]) -> Monomial?) -> KnownTensor? {
    guard let count = TensorType.checkedProduct(shape), count <= ShapeInference.trackedElementLimit else {
      return nil
    }
    var coordinates = [Int](repeating: 0, count: shape.count)
    var elements: [Monomial?] = []
    elements.reserveCapacity(count)
    for _ in 0..<count {
      elements.append(element(coordinates))
      var axis = shape.count - 1
      while axis >= 0 {
        coordinates[axis] += 1
        if coordinates[axis] < shape[axis] { break }
        coordinates[axis] = 0
        axis -= 1
      }
    }
    return KnownTensor(shape: shape, elements: elements)
  }

  // MARK: - Data movement

  /// The same elements in the same order under another shape (Reshape, Flatten, Squeeze, Unsqueeze).
  func reshaped(to newShape: [Int]) -> KnownTensor? {
    KnownTensor(shape: newShape, elements: elements)
  }

  /// Transpose: result axis `i` is axis `perm[i]` of this tensor.
  func transposed(_ perm: [Int]) -> KnownTensor? {
    guard perm.sorted() == Array(shape.indices) else { return nil }
    return KnownTensor.generate(shape: perm.map { shape[$0] }) { coordinates in
      var source = coordinates
      for (axis, sourceAxis) in perm.enumerated() { source[sourceAxis] = coordinates[axis] }
      return element(at: source)
    }
  }

  /// Numpy broadcasting to `target` (aligned at the last axes; an axis of size 1 repeats). `nil` when this
  /// shape does not broadcast to `target`.
  func broadcast(to target: [Int]) -> KnownTensor? {
    guard rank <= target.count else { return nil }
    let offset = target.count - rank
    for (axis, size) in shape.enumerated() where size != 1 && size != target[offset + axis] { return nil }
    return KnownTensor.generate(shape: target) { coordinates in
      element(at: shape.indices.map { axis in shape[axis] == 1 ? 0 : coordinates[offset + axis] })
    }
  }

  /// Which indices of one axis a Slice or Split keeps: `count` of them, from `start`, `step` apart (a
  /// negative step walks backwards).
  struct AxisSelection: Equatable {
    let start: Int
    let step: Int
    let count: Int

    /// The whole axis, in order.
    static func all(_ size: Int) -> AxisSelection { AxisSelection(start: 0, step: 1, count: size) }
  }

  /// The elements `selections` (one per axis) keep.
  func selecting(_ selections: [AxisSelection]) -> KnownTensor? {
    guard selections.count == rank else { return nil }
    return KnownTensor.generate(shape: selections.map(\.count)) { coordinates in
      var source: [Int] = []
      for (index, selection) in zip(coordinates, selections) {
        let (distance, overflow) = index.multipliedReportingOverflow(by: selection.step)
        let (position, overflow2) = selection.start.addingReportingOverflow(distance)
        guard !overflow, !overflow2 else { return nil }
        source.append(position)
      }
      return element(at: source)
    }
  }

  /// Gather: each index (negative ones count from the end) picks a slice along `axis`; the indices' shape
  /// replaces that axis. An unknown or out-of-range index gives unknown elements.
  func gathered(axis: Int, indices: KnownTensor) -> KnownTensor? {
    guard shape.indices.contains(axis) else { return nil }
    let resultShape = Array(shape[..<axis]) + indices.shape + Array(shape[(axis + 1)...])
    return KnownTensor.generate(shape: resultShape) { coordinates in
      let indexEnd = axis + indices.rank
      guard let index = indices.element(at: Array(coordinates[axis..<indexEnd]))?.constant else { return nil }
      let position = index < 0 ? index + shape[axis] : index
      return element(at: Array(coordinates[..<axis]) + [position] + Array(coordinates[indexEnd...]))
    }
  }

  /// Concat along `axis`: the pieces must agree on every other axis.
  static func concatenated(_ pieces: [KnownTensor], axis: Int) -> KnownTensor? {
    guard let first = pieces.first, first.shape.indices.contains(axis) else { return nil }
    var shape = first.shape
    var sizes: [Int] = []
    for piece in pieces {
      guard piece.rank == first.rank else { return nil }
      for other in shape.indices where other != axis && piece.shape[other] != shape[other] { return nil }
      sizes.append(piece.shape[axis])
    }
    guard let total = CheckedArithmetic.sum(sizes) else { return nil }
    shape[axis] = total
    return generate(shape: shape) { coordinates in
      var position = coordinates[axis]
      for piece in pieces {
        if position < piece.shape[axis] {
          var source = coordinates
          source[axis] = position
          return piece.element(at: source)
        }
        position -= piece.shape[axis]
      }
      return nil
    }
  }

  // MARK: - Elementwise

  /// Each known element transformed; `transform` answers `nil` where the result is not certain.
  func mapped(_ transform: (Monomial) -> Monomial?) -> KnownTensor {
    KnownTensor(validShape: shape, elements: elements.map { $0.flatMap(transform) })
  }

  /// The operands broadcast to `shape` and combined element by element (an elementwise op's result).
  static func combined(
    _ operands: [KnownTensor], shape: [Int], _ combine: ([Monomial?]) -> Monomial?
  ) -> KnownTensor? {
    var broadcast: [KnownTensor] = []
    for operand in operands {
      guard let expanded = operand.broadcast(to: shape) else { return nil }
      broadcast.append(expanded)
    }
    guard let count = broadcast.first?.elements.count else { return nil }
    return KnownTensor(shape: shape, elements: (0..<count).map { i in combine(broadcast.map { $0.elements[i] }) })
  }

  private init(validShape: [Int], elements: [Monomial?]) {
    self.shape = validShape
    self.elements = elements
  }
}

extension KnownTensor {
  /// The elements of a small constant: every element of an integer or bool constant, and the elements of a
  /// float constant that are whole numbers its type holds exactly (see `KnownArithmetic`). `nil` when the
  /// constant is too large to track.
  init?(_ constant: Constant) {
    guard constant.elementCount <= ShapeInference.trackedElementLimit else { return nil }
    let elements: [Monomial?]
    if constant.dtype.isFloatingPoint {
      elements = constant.doubles().map { KnownArithmetic.element($0, as: constant.dtype) }
    } else {
      elements = constant.integers().map { Monomial($0) }
    }
    self.init(shape: constant.dims, elements: elements)
  }
}
