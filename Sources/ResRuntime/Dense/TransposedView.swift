/// A MatMul operand seen through a transpose of its buffer, read or written in place: the shape the product
/// uses and, for each of its axes, the distance in elements between neighbours in the buffer.
///
/// A transformer splits Q, K and V into heads with Reshape → Transpose and merges the heads back with Transpose
/// → Reshape; reading and writing those layouts with strides removes four copy steps per attention layer
/// (`MatMulParams.a_perm`, `b_perm`, `y_perm` in plan.proto).
struct TransposedView: Equatable {
  let shape: [Int]
  let strides: [Int]

  /// The buffer itself, row-major.
  init(contiguous shape: [Int]) {
    self.shape = shape
    strides = Broadcast.contiguousStrides(shape)
  }

  /// `transpose(buffer, perm)` (ONNX semantics: axis `i` is the buffer's axis `perm[i]`), the way an operand
  /// is read; nil when `perm` is not a permutation of the buffer's axes.
  init?(reading bufferShape: [Int], perm: [Int]) {
    guard Self.isPermutation(perm, rank: bufferShape.count) else { return nil }
    let bufferStrides = Broadcast.contiguousStrides(bufferShape)
    shape = perm.map { bufferShape[$0] }
    strides = perm.map { bufferStrides[$0] }
  }

  /// The tensor `Y` whose `transpose(Y, perm)` is the buffer, the way the product is written; nil when `perm` is
  /// not a permutation of the buffer's axes.
  init?(writing bufferShape: [Int], perm: [Int]) {
    guard Self.isPermutation(perm, rank: bufferShape.count) else { return nil }
    let bufferStrides = Broadcast.contiguousStrides(bufferShape)
    var shape = bufferShape
    var strides = bufferStrides
    for (axis, source) in perm.enumerated() {
      shape[source] = bufferShape[axis]
      strides[source] = bufferStrides[axis]
    }
    self.shape = shape
    self.strides = strides
  }

  var rank: Int { shape.count }

  /// Strides that read this view's leading `batch` axes at every index of `target` (right-aligned, numpy
  /// broadcasting: an axis of size 1, or one the view lacks, is read at stride 0).
  func batchStrides(axes batch: Int, into target: [Int]) -> [Int] {
    let lead = target.count - batch
    return target.indices.map { axis in
      let own = axis - lead
      return own < 0 || shape[own] == 1 ? 0 : strides[own]
    }
  }

  private static func isPermutation(_ perm: [Int], rank: Int) -> Bool {
    perm.count == rank && perm.sorted() == Array(0..<rank)
  }
}
