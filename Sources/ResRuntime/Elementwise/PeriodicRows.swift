/// An elementwise walk whose rows are shorter than a vector and whose next axis out moves one operand (and
/// the output) on by a whole row while the other operand repeats its row: a per-channel vector over an
/// NHWC or channels-last tensor with few channels, such as the `[1, 224, 224, 3] ⊙ [3]` input normalization
/// that tf2onnx exports from Keras (EfficientNet's, Xception's). Row by row that is one microkernel call per
/// three elements: 0.77 ms for Keras EfficientNet-B0's 150,528 elements, against onnxruntime's 0.06.
///
/// Walked instead as rows that many times longer (`walk`), the repeating operand read from a copy of its row
/// repeated to a vector-friendly length (`fillPattern`). Every element is computed by the same operation
/// from the same two values, so the result is bit for bit the row-by-row one.
struct PeriodicRows: Sendable {
  /// The operand lane (0 for A, 1 for B) whose row repeats.
  let repeating: Int
  /// The original row length: the repeating operand's period.
  let period: Int
  /// The merged rows; the repeating lane's stride within a row is 0 (its offset is that of its row start).
  let walk: StridedWalk

  /// Rows shorter than this take the periodic walk.
  static let shortestVectorRow = 16
  /// Elements computed per microkernel call (rounded up to whole periods).
  static let chunk = 256

  /// Nil unless `layout` (lanes 0 and 1 the operands, 3 the contiguous output) has the shape described
  /// above, with both operands' rows contiguous.
  init?(_ layout: StridedWalk) {
    let length = layout.rowLength
    guard length > 1, length < Self.shortestVectorRow, let outerLength = layout.outerShape.last,
      let outer = layout.outerStrides.last, layout.rowStrides[0] == 1, layout.rowStrides[1] == 1,
      layout.rowStrides[3] == 1, outer[3] == length
    else { return nil }
    let repeating: Int
    switch (outer[0], outer[1]) {
    case (length, 0): repeating = 1
    case (0, length): repeating = 0
    default: return nil
    }
    var rowLanes = SIMD4<Int>(1, 1, 0, 1)
    rowLanes[repeating] = 0
    self.repeating = repeating
    period = length
    walk = StridedWalk(
      shape: layout.outerShape.dropLast() + [outerLength * length],
      axisStrides: layout.outerStrides.dropLast() + [rowLanes])
  }

  /// Floats of the pattern `fillPattern` writes: a whole number of periods of at least `chunk`, plus one
  /// period so that a chunk may start at any phase.
  var patternFloats: Int { (Self.chunk + period - 1) / period * period + period }

  /// Writes the row at `row` repeated over `patternFloats` floats.
  func fillPattern(from row: UnsafePointer<Float>, into pattern: UnsafeMutablePointer<Float>) {
    for index in 0..<patternFloats { pattern[index] = row[index % period] }
  }
}
