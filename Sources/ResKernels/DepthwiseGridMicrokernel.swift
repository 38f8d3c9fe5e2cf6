/// Depthwise convolution of one channel over a flattened output grid: `sums[q] = Σₜ weights[t] · input[q +
/// taps[t]]` for every grid position `q`, 16 consecutive positions on the vector lanes, four vectors at a time.
///
/// The caller lays the padded input out so that the window origin of output (h, w) is grid position
/// `q = h·pitch + w` (at stride 1 the padded plane itself, pitch its width; at stride 2 the plane split into
/// its four row/column phases, pitch the phase width), which makes every tap of every lane a plain vector load
/// at a fixed offset. Rows are not tiles any more: a 7×7 output is 4 vectors of 16 lanes (63 positions, 49 of
/// them outputs) instead of 8 half-empty row tiles, and stride 2 needs no shuffles. The sums start at the
/// channel's bias; `finish` then applies the rest of the epilogue and drops the grid's `pitch − columns`
/// padding positions of each row.
public enum DepthwiseGridMicrokernel {
  /// Writes `sums[0..<count]` (`bias` + the window sums), and the rest of the last vector (up to the next
  /// multiple of 16): `sums` needs that room, and `input` must be readable 15 floats past the last position's
  /// last tap.
  public static func run(
    input: UnsafePointer<Float>, taps: UnsafePointer<Int>, weights: UnsafePointer<Float>, tapCount: Int,
    bias: Float, sums: UnsafeMutablePointer<Float>, count: Int
  ) {
    let start = SIMD16<Float>(repeating: bias)
    var q = 0
    while count - q > 48 {
      var a0 = start
      var a1 = start
      var a2 = start
      var a3 = start
      for tap in 0..<tapCount {
        let source = input + q + taps[tap]
        let weight = weights[tap]
        VectorArithmetic.multiplyAdd(&a0, weight, VectorAccess.load(source))
        VectorArithmetic.multiplyAdd(&a1, weight, VectorAccess.load(source + 16))
        VectorArithmetic.multiplyAdd(&a2, weight, VectorAccess.load(source + 32))
        VectorArithmetic.multiplyAdd(&a3, weight, VectorAccess.load(source + 48))
      }
      VectorAccess.store(a0, sums + q)
      VectorAccess.store(a1, sums + q + 16)
      VectorAccess.store(a2, sums + q + 32)
      VectorAccess.store(a3, sums + q + 48)
      q += 64
    }
    runTail(
      vectors: (count - q + 15) / 16, start: start, input: input + q, taps: taps, weights: weights, tapCount: tapCount,
      vectorStride: 16, sums: sums + q
    ) { VectorAccess.load($0) }
  }

  /// `run` at stride 2 on an unsplit plane: `sums[q] = bias + Σₜ weights[t] · input[2q + taps[t]]`, each
  /// vector of sixteen positions loaded as the even lanes of 32 floats. `input` must be readable 31 floats
  /// past `2·q + taps[t]` of the last vector's first position `q`.
  public static func runEvenLanes(
    input: UnsafePointer<Float>, taps: UnsafePointer<Int>, weights: UnsafePointer<Float>, tapCount: Int,
    bias: Float, sums: UnsafeMutablePointer<Float>, count: Int
  ) {
    let start = SIMD16<Float>(repeating: bias)
    var q = 0
    while count - q > 48 {
      var a0 = start
      var a1 = start
      var a2 = start
      var a3 = start
      for tap in 0..<tapCount {
        let source = input + 2 * q + taps[tap]
        let weight = weights[tap]
        VectorArithmetic.multiplyAdd(&a0, weight, VectorAccess.loadEvenLanes(source))
        VectorArithmetic.multiplyAdd(&a1, weight, VectorAccess.loadEvenLanes(source + 32))
        VectorArithmetic.multiplyAdd(&a2, weight, VectorAccess.loadEvenLanes(source + 64))
        VectorArithmetic.multiplyAdd(&a3, weight, VectorAccess.loadEvenLanes(source + 96))
      }
      VectorAccess.store(a0, sums + q)
      VectorAccess.store(a1, sums + q + 16)
      VectorAccess.store(a2, sums + q + 32)
      VectorAccess.store(a3, sums + q + 48)
      q += 64
    }
    runTail(
      vectors: (count - q + 15) / 16, start: start, input: input + 2 * q, taps: taps, weights: weights,
      tapCount: tapCount, vectorStride: 32, sums: sums + q
    ) { VectorAccess.loadEvenLanes($0) }
  }

  /// The last one to three vectors of a grid (`vectors`; any other count does nothing), their accumulators
  /// independent: one vector at a time waited out the multiply-add latency on every tap, which on a 7×7
  /// plane (four vectors, short of a block of four positions' worth of 64) was most of the channel's sums.
  /// `input` is the first vector's window origin; each further vector reads `vectorStride` floats on (16, or
  /// 32 for even lanes), through `load`.
  @inline(__always)
  static func runTail(
    vectors: Int, start: SIMD16<Float>, input: UnsafePointer<Float>, taps: UnsafePointer<Int>,
    weights: UnsafePointer<Float>, tapCount: Int, vectorStride: Int, sums: UnsafeMutablePointer<Float>,
    load: (UnsafePointer<Float>) -> SIMD16<Float>
  ) {
    guard (1...3).contains(vectors) else { return }
    var a0 = start
    var a1 = start
    var a2 = start
    for tap in 0..<tapCount {
      let source = input + taps[tap]
      let weight = weights[tap]
      VectorArithmetic.multiplyAdd(&a0, weight, load(source))
      if vectors > 1 { VectorArithmetic.multiplyAdd(&a1, weight, load(source + vectorStride)) }
      if vectors > 2 { VectorArithmetic.multiplyAdd(&a2, weight, load(source + 2 * vectorStride)) }
    }
    VectorAccess.store(a0, sums)
    if vectors > 1 { VectorAccess.store(a1, sums + 16) }
    if vectors > 2 { VectorAccess.store(a2, sums + 32) }
  }

  /// `output[h·columns + w] = activation(sums[h·pitch + w] + residual[h·columns + w])` for `h < rows`,
  /// `w < columns`: the rest of the epilogue, and the grid's rows packed into the output plane.
  ///
  /// Small planes have rows narrower than a vector (7, 14 columns), where partial loads and stores would cost
  /// more than the convolution: rows are written as whole vectors whenever the vector stays inside the plane
  /// (what spills into the next row is overwritten when that row is written), and without a residual the
  /// activation runs over the grid's whole vectors first. `sums` must be 16-float aligned with room for its
  /// last vector (as `run` leaves it).
  public static func finish(
    sums: UnsafeMutablePointer<Float>, count: Int, pitch: Int, rows: Int, columns: Int,
    output: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, activation: PointwiseFunction
  ) {
    let plane = rows * columns
    if residual == nil {
      sums.withMemoryRebound(to: SIMD16<Float>.self, capacity: (count + 15) / 16) { vectors in
        activation.apply(vectors: vectors, count: (count + 15) / 16)
      }
    }
    for row in 0..<rows {
      let source = sums + row * pitch
      var column = 0
      while column < columns {
        let at = row * columns + column
        let width = plane - at >= 16 ? 16 : min(16, columns - column)
        var value = VectorAccess.load(source + column)
        if let residual {
          value = activation(value + VectorAccess.loadPartial(residual + at, width))
        }
        VectorAccess.storePartial(value, output + at, width)
        column += 16
      }
    }
  }
}
