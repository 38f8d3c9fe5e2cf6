/// Softmax of one contiguous row, `y = e^(x − max) / Σ e^(x − max)`, 16 lanes at a time: a maximum pass, an
/// exponential pass that stores `e^(x − max)` and sums it, and a scaling pass over the stored row (which is
/// still in cache). The tail runs the same vector code on a partial vector, its missing lanes left out of the
/// maximum and the sum.
public enum SoftmaxMicrokernel {
  /// `input` and `output` may be the same row.
  public static func run(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
    guard count > 0 else { return }
    let full = count & ~15
    let tail = count - full
    let missing = VectorLanes.index .>= Float(tail)
    var largest = SIMD16<Float>(repeating: -.infinity)
    // A compare and a blend per vector: the standard library's `pointwiseMax` is a lane-by-lane loop.
    for offset in stride(from: 0, to: full, by: 16) {
      let values = VectorAccess.load(input + offset)
      largest.replace(with: values, where: values .> largest)
    }
    if tail > 0 {
      let last = VectorAccess.loadPartial(input + full, tail).replacing(with: -.infinity, where: missing)
      largest.replace(with: last, where: last .> largest)
    }
    let maximum = SIMD16<Float>(repeating: largest.max())
    var sum = SIMD16<Float>()
    for offset in stride(from: 0, to: full, by: 16) {
      let e = VectorExp.exp(VectorAccess.load(input + offset) - maximum)
      VectorAccess.store(e, output + offset)
      sum += e
    }
    if tail > 0 {
      let e = VectorExp.exp(VectorAccess.loadPartial(input + full, tail) - maximum)
      VectorAccess.storePartial(e, output + full, tail)
      sum += e.replacing(with: 0, where: missing)
    }
    let reciprocal = SIMD16<Float>(repeating: 1 / sum.sum())
    for offset in stride(from: 0, to: full, by: 16) {
      VectorAccess.store(VectorAccess.load(output + offset) * reciprocal, output + offset)
    }
    if tail > 0 {
      VectorAccess.storePartial(VectorAccess.loadPartial(output + full, tail) * reciprocal, output + full, tail)
    }
  }
}
