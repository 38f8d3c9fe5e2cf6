/// Softmax of one contiguous row, `y = e^(x − max) / Σ e^(x − max)`, 16 lanes at a time: a maximum pass, an
/// exponential pass that stores `e^(x − max)` and sums it, and a scaling pass over the stored row (which is
/// still in cache). A row of 16 or more whose length is not a multiple of 16 ends with one whole vector that
/// overlaps the previous one (`runOverlappingTail`): the lanes already covered are left out of the sum and
/// written again with the same bits. A shorter row runs the same code on a partial vector, its missing lanes
/// left out of the maximum and the sum. (Partial vectors go through memory lane by lane: ViT's 197-long rows
/// spent a fifth of their time on them.)
public enum SoftmaxMicrokernel {
  /// `input` and `output` may be the same row.
  public static func run(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
    guard count > 0 else { return }
    if count >= 16 && count % 16 != 0 {
      runOverlappingTail(input, output, count: count)
      return
    }
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
    let maximum = SIMD16<Float>(repeating: VectorReduction.maximum(largest))
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
    let reciprocal = SIMD16<Float>(repeating: 1 / VectorReduction.sum(sum))
    for offset in stride(from: 0, to: full, by: 16) {
      VectorAccess.store(VectorAccess.load(output + offset) * reciprocal, output + offset)
    }
    if tail > 0 {
      VectorAccess.storePartial(VectorAccess.loadPartial(output + full, tail) * reciprocal, output + full, tail)
    }
  }

  /// A row of `count > 16` elements, not a multiple of 16: the last vector starts at `count − 16`. Its input
  /// is read before anything is written (the rows may be the same memory) and its scaled values are formed
  /// before the full vectors are scaled in place, so each overlapped element gets exactly the bits the full
  /// vector gave it.
  private static func runOverlappingTail(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int
  ) {
    let full = count & ~15
    let last = count - 16
    let covered = VectorLanes.index .< Float(full - last)
    let lastInput = VectorAccess.load(input + last)
    var largest = lastInput
    for offset in stride(from: 0, to: full, by: 16) {
      let values = VectorAccess.load(input + offset)
      largest.replace(with: values, where: values .> largest)
    }
    let maximum = SIMD16<Float>(repeating: VectorReduction.maximum(largest))
    var sum = SIMD16<Float>()
    for offset in stride(from: 0, to: full, by: 16) {
      let e = VectorExp.exp(VectorAccess.load(input + offset) - maximum)
      VectorAccess.store(e, output + offset)
      sum += e
    }
    let lastExp = VectorExp.exp(lastInput - maximum)
    VectorAccess.store(lastExp, output + last)
    sum += lastExp.replacing(with: 0, where: covered)
    let reciprocal = SIMD16<Float>(repeating: 1 / VectorReduction.sum(sum))
    let lastScaled = lastExp * reciprocal
    for offset in stride(from: 0, to: full, by: 16) {
      VectorAccess.store(VectorAccess.load(output + offset) * reciprocal, output + offset)
    }
    VectorAccess.store(lastScaled, output + last)
  }
}
