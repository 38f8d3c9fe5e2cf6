/// Softmax over several rows of one length, four rows at a time in lockstep (`run(_:_:count:rows:stride:)`).
///
/// One row's three passes are each a short loop (ViT-tiny's attention rows are 197 floats, 13 vectors)
/// joined by horizontal reductions and a division, and each pass waits for the one before: the maximum, then
/// the exponentials, then the scaling. Row by row those joins left the core idle for much of a softmax
/// step: on Zen 3, in a test program, 1024 rows of 128 took 0.093 ms and still 0.040 with the exponential
/// taken out. Four rows side by side give each pass four independent chains. One-node models, one thread,
/// the step's fastest of four 500-run medians: 3×197 rows of 197 (ViT-tiny's attention) 0.088 → 0.074 ms,
/// 8×128 rows of 128 0.098 → 0.078 (onnxruntime's whole runs 0.066 and 0.074). Every row is computed with
/// exactly the single-row kernel's operations in its order (`SoftmaxMicrokernel.run`), so a row's bits do not
/// depend on which group, if any, it fell in.
extension SoftmaxMicrokernel {
  /// Rows computed together.
  public static let groupRows = 4

  /// `rows` rows of `count` elements, row `r` at `input + r · stride` and `output + r · stride` (`stride ≥
  /// count`; input and output the same memory or disjoint), each exactly as `run(_:_:count:)` computes it.
  /// Rows of at least one vector go four at a time; the rest, and any group with a row outside the ordinary
  /// range (a NaN, an infinite maximum), row by row.
  public static func run(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int, rows: Int, stride: Int
  ) {
    var row = 0
    if count >= FourRowVectors.lanes {
      while row + groupRows <= rows {
        runGroup(input + row * stride, output + row * stride, count: count, stride: stride)
        row += groupRows
      }
    }
    while row < rows {
      run(input + row * stride, output + row * stride, count: count)
      row += 1
    }
  }

  /// Four rows of `count ≥ 16`: whole vectors, and when `count` is not a multiple of 16 one last vector that
  /// overlaps the one before it (as `run` ends such a row). The rows may be their own output, so the
  /// overlapping vectors are both read before either is written.
  private static func runGroup(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int, stride: Int
  ) {
    let lanes = FourRowVectors.lanes
    let full = count & ~(lanes - 1)
    let overlaps = full != count
    let last = count - lanes
    let covered = VectorLanes.index .< Float(full - last)
    var largest = FourRowVectors(repeating: SIMD16(repeating: -.infinity))
    // One sum for the four rows, to find a NaN in any of them (the group then goes row by row): `run` sums
    // each row for that, but four sums held through the loop spilled. A row without a NaN gets the same
    // bits whichever test sends it on (`SoftmaxMicrokernel`: the quick exponential gives `exp`'s bits).
    var total = SIMD16<Float>()
    if overlaps {
      largest = FourRowVectors(input + last, stride: stride)
      total = largest.zeroing(where: covered).lanewiseSum
    }
    for offset in Swift.stride(from: 0, to: full, by: lanes) {
      let values = FourRowVectors(input + offset, stride: stride)
      largest.keepLarger(values)
      total += values.lanewiseSum
    }
    guard let maxima = ordinaryMaxima(largest), !VectorReduction.sum(total).isNaN else {
      for row in 0..<groupRows { run(input + row * stride, output + row * stride, count: count) }
      return
    }
    let shift = FourRowVectors(
      SIMD16(repeating: maxima[0]), SIMD16(repeating: maxima[1]), SIMD16(repeating: maxima[2]),
      SIMD16(repeating: maxima[3]))
    // With an overlapping last vector, the last whole one is taken out of the loop and done beside it, both
    // read before either is written: the last vector's exponentials then need not be held through the loop.
    let loopEnd = overlaps ? full - lanes : full
    var sum = FourRowVectors(repeating: SIMD16())
    for offset in Swift.stride(from: 0, to: loopEnd, by: lanes) {
      let e = FourRowVectors(input + offset, stride: stride).exponentials(minus: shift)
      e.store(output + offset, stride: stride)
      sum += e
    }
    var lastExp = FourRowVectors(repeating: SIMD16())
    if overlaps {
      let e = FourRowVectors(input + loopEnd, stride: stride).exponentials(minus: shift)
      lastExp = FourRowVectors(input + last, stride: stride).exponentials(minus: shift)
      e.store(output + loopEnd, stride: stride)
      sum += e
      lastExp.store(output + last, stride: stride)
      sum += lastExp.zeroing(where: covered)
    }
    let reciprocal = sum.reciprocalsOfSums()
    for offset in Swift.stride(from: 0, to: full, by: lanes) {
      let scaled = FourRowVectors(UnsafePointer(output + offset), stride: stride) * reciprocal
      scaled.store(output + offset, stride: stride)
    }
    if overlaps { (lastExp * reciprocal).store(output + last, stride: stride) }
  }

  /// Each row's maximum, or nil when one is infinite or NaN (the quick exponential's range, as `run` tests it).
  @inline(__always)
  private static func ordinaryMaxima(_ largest: FourRowVectors) -> SIMD4<Float>? {
    var maxima = SIMD4<Float>()
    for row in 0..<groupRows {
      let maximum = VectorReduction.maximum(largest[row])
      guard maximum.isFinite else { return nil }
      maxima[row] = maximum
    }
    return maxima
  }
}

/// One vector of each of four rows, `stride` floats apart. Each operation is written out for the four rows:
/// the same code as a closure applied per row compiled to spills and ran at half the speed.
struct FourRowVectors {
  static let lanes = 16

  var row0: SIMD16<Float>
  var row1: SIMD16<Float>
  var row2: SIMD16<Float>
  var row3: SIMD16<Float>

  @inline(__always)
  init(_ row0: SIMD16<Float>, _ row1: SIMD16<Float>, _ row2: SIMD16<Float>, _ row3: SIMD16<Float>) {
    (self.row0, self.row1, self.row2, self.row3) = (row0, row1, row2, row3)
  }

  @inline(__always)
  init(repeating vector: SIMD16<Float>) {
    self.init(vector, vector, vector, vector)
  }

  /// The vector at `first` and at the same place in the next three rows.
  @inline(__always)
  init(_ first: UnsafePointer<Float>, stride: Int) {
    self.init(
      VectorAccess.load(first), VectorAccess.load(first + stride), VectorAccess.load(first + 2 * stride),
      VectorAccess.load(first + 3 * stride))
  }

  @inline(__always)
  func store(_ first: UnsafeMutablePointer<Float>, stride: Int) {
    VectorAccess.store(row0, first)
    VectorAccess.store(row1, first + stride)
    VectorAccess.store(row2, first + 2 * stride)
    VectorAccess.store(row3, first + 3 * stride)
  }

  @inline(__always)
  subscript(row: Int) -> SIMD16<Float> {
    switch row {
    case 0: row0
    case 1: row1
    case 2: row2
    default: row3
    }
  }

  /// Takes each lane of `values` that is larger (the single-row kernel's compare and blend).
  @inline(__always)
  mutating func keepLarger(_ values: FourRowVectors) {
    row0.replace(with: values.row0, where: values.row0 .> row0)
    row1.replace(with: values.row1, where: values.row1 .> row1)
    row2.replace(with: values.row2, where: values.row2 .> row2)
    row3.replace(with: values.row3, where: values.row3 .> row3)
  }

  @inline(__always)
  func zeroing(where mask: SIMDMask<SIMD16<Int32>>) -> FourRowVectors {
    FourRowVectors(
      row0.replacing(with: 0, where: mask), row1.replacing(with: 0, where: mask),
      row2.replacing(with: 0, where: mask), row3.replacing(with: 0, where: mask))
  }

  /// `e^(x − shift)` row by row, for `x − shift` at most 0 and not NaN (`VectorExp.expOfNonPositive`).
  /// Transparent: with `@inline(__always)` alone the optimizer left it a call, its 128-byte result passed
  /// through memory (1024 rows of 128 took 0.107 ms, against 0.075 inlined).
  @_transparent
  func exponentials(minus shift: FourRowVectors) -> FourRowVectors {
    FourRowVectors(
      VectorExp.expOfNonPositive(row0 - shift.row0), VectorExp.expOfNonPositive(row1 - shift.row1),
      VectorExp.expOfNonPositive(row2 - shift.row2), VectorExp.expOfNonPositive(row3 - shift.row3))
  }

  /// The four rows added lane by lane.
  @inline(__always)
  var lanewiseSum: SIMD16<Float> { (row0 + row1) + (row2 + row3) }

  /// `1 / Σ lanes` of each row, in all its lanes.
  @inline(__always)
  func reciprocalsOfSums() -> FourRowVectors {
    FourRowVectors(
      SIMD16(repeating: 1 / VectorReduction.sum(row0)), SIMD16(repeating: 1 / VectorReduction.sum(row1)),
      SIMD16(repeating: 1 / VectorReduction.sum(row2)), SIMD16(repeating: 1 / VectorReduction.sum(row3)))
  }

  @inline(__always)
  static func += (sums: inout FourRowVectors, values: FourRowVectors) {
    sums.row0 += values.row0
    sums.row1 += values.row1
    sums.row2 += values.row2
    sums.row3 += values.row3
  }

  @inline(__always)
  static func * (values: FourRowVectors, scales: FourRowVectors) -> FourRowVectors {
    FourRowVectors(
      values.row0 * scales.row0, values.row1 * scales.row1, values.row2 * scales.row2, values.row3 * scales.row3)
  }
}
