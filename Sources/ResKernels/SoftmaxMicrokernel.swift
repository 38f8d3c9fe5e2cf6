/// Softmax of one contiguous row, `y = e^(x − max) / Σ e^(x − max)`, 16 lanes at a time: a maximum pass, an
/// exponential pass that stores `e^(x − max)` and sums it, and a scaling pass over the stored row (which is
/// still in cache). A row of 16 or more whose length is not a multiple of 16 ends with one whole vector that
/// overlaps the previous one (`runOverlappingTail`): the lanes already covered are left out of the sum and
/// written again with the same bits. A shorter row runs the same code on a partial vector, its missing lanes
/// left out of the maximum and the sum. (Partial vectors go through memory lane by lane: ViT's 197-long rows
/// spent a fifth of their time on them.)
///
/// The exponential pass is most of the work. When the maximum is finite and no element is NaN — every row
/// of a real model, masked scores of −∞ included — each `x − max` is at most 0 and not NaN, and
/// `VectorExp.expOfNonPositive` gives the same bits as `VectorExp.exp` with three of its five range checks
/// left out (one thread, `bench --profile`: ViT-tiny's twelve softmax steps 0.81 → 0.74 ms, the transformer
/// encoder's six 0.57 → 0.45 ms). The maximum pass finds out by also summing
/// the row: a NaN element makes that sum NaN (so do +∞ and −∞ together, and a finite overflow to ∞ next to
/// −∞, which only sends such a row the general way).
public enum SoftmaxMicrokernel {
  /// `input` and `output` may be the same row.
  public static func run(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
    guard count > 0 else { return }
    if count >= 16 && count % 16 != 0 {
      runOverlappingTail(input, output, count: count)
    } else {
      runPartialTail(input, output, count: count)
    }
  }

  /// A row of whole vectors, or shorter than one vector.
  private static func runPartialTail(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
    let full = count & ~15
    let tail = count - full
    let missing = VectorLanes.index .>= Float(tail)
    var largest = SIMD16<Float>(repeating: -.infinity)
    var total = SIMD16<Float>()
    // A compare and a blend per vector: the standard library's `pointwiseMax` is a lane-by-lane loop.
    for offset in stride(from: 0, to: full, by: 16) {
      let values = VectorAccess.load(input + offset)
      largest.replace(with: values, where: values .> largest)
      total += values
    }
    if tail > 0 {
      let last = VectorAccess.loadPartial(input + full, tail).replacing(with: -.infinity, where: missing)
      largest.replace(with: last, where: last .> largest)
      total += last.replacing(with: 0, where: missing)
    }
    let maximum = VectorReduction.maximum(largest)
    let sum =
      isOrdinary(maximum: maximum, total: total)
      ? exponentiate(NonPositiveExp.self, input, output, full: full, tail: tail, missing: missing, maximum)
      : exponentiate(AnyExp.self, input, output, full: full, tail: tail, missing: missing, maximum)
    let reciprocal = SIMD16<Float>(repeating: 1 / VectorReduction.sum(sum))
    for offset in stride(from: 0, to: full, by: 16) {
      VectorAccess.store(VectorAccess.load(output + offset) * reciprocal, output + offset)
    }
    if tail > 0 {
      VectorAccess.storePartial(VectorAccess.loadPartial(output + full, tail) * reciprocal, output + full, tail)
    }
  }

  /// Stores `e^(x − maximum)` for the row's whole vectors and its partial tail; returns their sum by lane.
  @inline(__always)
  private static func exponentiate<E: RowExp>(
    _: E.Type, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, full: Int, tail: Int,
    missing: SIMDMask<SIMD16<Int32>>, _ maximum: Float
  ) -> SIMD16<Float> {
    let shift = SIMD16<Float>(repeating: maximum)
    var sum = SIMD16<Float>()
    for offset in stride(from: 0, to: full, by: 16) {
      let e = E.exp(VectorAccess.load(input + offset) - shift)
      VectorAccess.store(e, output + offset)
      sum += e
    }
    if tail > 0 {
      let e = E.exp(VectorAccess.loadPartial(input + full, tail) - shift)
      VectorAccess.storePartial(e, output + full, tail)
      sum += e.replacing(with: 0, where: missing)
    }
    return sum
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
    var total = lastInput.replacing(with: 0, where: covered)
    for offset in stride(from: 0, to: full, by: 16) {
      let values = VectorAccess.load(input + offset)
      largest.replace(with: values, where: values .> largest)
      total += values
    }
    let maximum = VectorReduction.maximum(largest)
    let (sum, lastExp) =
      isOrdinary(maximum: maximum, total: total)
      ? exponentiate(NonPositiveExp.self, input, output, full: full, last: last, lastInput, covered, maximum)
      : exponentiate(AnyExp.self, input, output, full: full, last: last, lastInput, covered, maximum)
    let reciprocal = SIMD16<Float>(repeating: 1 / VectorReduction.sum(sum))
    let lastScaled = lastExp * reciprocal
    for offset in stride(from: 0, to: full, by: 16) {
      VectorAccess.store(VectorAccess.load(output + offset) * reciprocal, output + offset)
    }
    VectorAccess.store(lastScaled, output + last)
  }

  /// Stores `e^(x − maximum)` for the row's whole vectors and its overlapping last vector (read before, as
  /// `lastInput`); returns their sum by lane, the overlap counted once, and the last vector's exponentials.
  @inline(__always)
  private static func exponentiate<E: RowExp>(
    _: E.Type, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, full: Int, last: Int,
    _ lastInput: SIMD16<Float>, _ covered: SIMDMask<SIMD16<Int32>>, _ maximum: Float
  ) -> (sum: SIMD16<Float>, lastExp: SIMD16<Float>) {
    let shift = SIMD16<Float>(repeating: maximum)
    var sum = SIMD16<Float>()
    for offset in stride(from: 0, to: full, by: 16) {
      let e = E.exp(VectorAccess.load(input + offset) - shift)
      VectorAccess.store(e, output + offset)
      sum += e
    }
    let lastExp = E.exp(lastInput - shift)
    VectorAccess.store(lastExp, output + last)
    return (sum + lastExp.replacing(with: 0, where: covered), lastExp)
  }

  /// Whether every `x − maximum` of the row is at most 0 and not NaN: the maximum is finite and the row's sum
  /// (by lane, `total`) has no NaN, so no element is NaN.
  @inline(__always)
  private static func isOrdinary(maximum: Float, total: SIMD16<Float>) -> Bool {
    maximum.isFinite && !VectorReduction.sum(total).isNaN
  }
}

/// The exponential a softmax row's pass uses (generic, so each pass is compiled with its own).
private protocol RowExp {
  static func exp(_ x: SIMD16<Float>) -> SIMD16<Float>
}

/// Any input: NaN, ±∞ and values past the float range handled.
private enum AnyExp: RowExp {
  @inline(__always) static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorExp.exp(x) }
}

/// Inputs at most 0 and not NaN, where it gives `VectorExp.exp`'s bits.
private enum NonPositiveExp: RowExp {
  @inline(__always) static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorExp.expOfNonPositive(x) }
}
