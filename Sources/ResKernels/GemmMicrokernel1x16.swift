/// The f32 GEMM microkernel for a single row of A: one row × sixteen columns, A read in place
/// (`GemmALayout.rows`), for a product whose A is one row (a classifier's `1 × K` activations against its
/// `K × N` weights, batch 1).
///
/// On one row the 6×16 kernel still spends six broadcasts and six multiply-adds per reduction step, one of
/// them useful, so MobileNetV2's 1280 → 1000 classifier ran at 6 GFLOP/s, bound by that loop rather than by
/// streaming the 5 MB of weights. Here a step is one load of B and one multiply-add, and four accumulators
/// take steps `k`, `k+1`, `k+2`, `k+3` so consecutive multiply-adds do not wait on each other; they are
/// summed at the end, then the epilogue and store are the 6×16 kernel's (`finish`).
public enum GemmMicrokernel1x16 {
  public static let mr = 1
  public static let nr = 16

  public static func run(_ tile: GemmTile) {
    let sum = sum(depth: tile.depth, a: tile.a, panel: tile.b)
    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: 1) { buffer in
      buffer[0] = sum
      GemmMicrokernel6x16.finish(buffer.baseAddress!, tile)
    }
  }

  /// `output[j] = a·B[:, j] + bias[j]` for `j` in `0..<columns`: one row of A against every panel of B in
  /// turn (`panels`, `depth × 16` floats each, back to back), `bias` optional. The bits of `run` on each
  /// panel with a bias-only epilogue, without its per-panel tile and generic epilogue: a recurrent step of
  /// batch 1 is this product and little else (ONNX LSTM of 128 units: 32 panels per step, 64 steps), and the
  /// epilogue through `finish` was a sixth of the time of the products themselves.
  public static func runRow(
    depth: Int, a: UnsafePointer<Float>, panels: UnsafePointer<Float>, columns: Int, bias: UnsafePointer<Float>?,
    output: UnsafeMutablePointer<Float>
  ) {
    var column = 0
    var panel = panels
    while column < columns {
      var value = sum(depth: depth, a: a, panel: panel)
      let width = Swift.min(nr, columns - column)
      if let bias { value += VectorAccess.loadPartial(bias + column, width) }
      VectorAccess.storePartial(value, output + column, width)
      column += nr
      panel += depth * nr
    }
  }

  /// `a · panel` over `depth` steps: four accumulators take steps `k` to `k+3`, summed as `(s0+s1)+(s2+s3)`.
  @inline(__always)
  static func sum(depth: Int, a: UnsafePointer<Float>, panel b: UnsafePointer<Float>) -> SIMD16<Float> {
    var s0 = SIMD16<Float>()
    var s1 = SIMD16<Float>()
    var s2 = SIMD16<Float>()
    var s3 = SIMD16<Float>()
    var step = 0
    while step + 4 <= depth {
      let panel = b + step * 16
      VectorArithmetic.multiplyAdd(&s0, a[step], VectorAccess.load(panel))
      VectorArithmetic.multiplyAdd(&s1, a[step + 1], VectorAccess.load(panel + 16))
      VectorArithmetic.multiplyAdd(&s2, a[step + 2], VectorAccess.load(panel + 32))
      VectorArithmetic.multiplyAdd(&s3, a[step + 3], VectorAccess.load(panel + 48))
      step += 4
    }
    while step < depth {
      VectorArithmetic.multiplyAdd(&s0, a[step], VectorAccess.load(b + step * 16))
      step += 1
    }
    return (s0 + s1) + (s2 + s3)
  }
}
