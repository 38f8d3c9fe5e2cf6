/// Depthwise convolution of 16 channels at once, the channels on the vector lanes, over one output row:
/// `output[16·w + c] = bias[c] + Σₜ weights[16·t + c] · input[w·columnStride + taps[t] + c]`; the caller
/// applies the rest of the epilogue to the whole block, one dispatch on the activation for all its vectors.
///
/// The input is a padded position-major block (`ChannelBlockTranspose.toPositions`), so every tap of every
/// output is one plain vector load whatever the stride and dilation, and a 7×7 or 14×14 plane wastes no
/// lanes: with the positions on the lanes each channel paid a plane copy, a stride-phase split and partial
/// stores on short rows, several times its multiply-adds on MobileNetV2's small stride-2 layers.
/// Six outputs at a time share each tap's weight vector.
public enum DepthwiseChannelMicrokernel {
  /// Outputs computed together.
  public static let columns = 6

  /// Writes `columns` output vectors at `output` (16 floats apart). `input` is output 0's window origin;
  /// each further output's is `columnStride` floats on; `taps` are float offsets from a window origin, and
  /// `weights` holds one 16-lane vector per tap.
  public static func runRow(
    input: UnsafePointer<Float>, columnStride: Int, taps: UnsafePointer<Int>, weights: UnsafePointer<Float>,
    tapCount: Int, bias: SIMD16<Float>, output: UnsafeMutablePointer<Float>,
    columns: Int
  ) {
    var column = 0
    while columns - column >= Self.columns {
      runSix(
        input: input + column * columnStride, columnStride: columnStride, taps: taps, weights: weights,
        tapCount: tapCount, bias: bias, output: output + 16 * column)
      column += Self.columns
    }
    while column < columns {
      let count = min(2, columns - column)
      runTail(
        count: count, input: input + column * columnStride, columnStride: columnStride, taps: taps,
        weights: weights, tapCount: tapCount, bias: bias, output: output + 16 * column)
      column += count
    }
  }

  @inline(__always)
  private static func runSix(
    input: UnsafePointer<Float>, columnStride: Int, taps: UnsafePointer<Int>, weights: UnsafePointer<Float>,
    tapCount: Int, bias: SIMD16<Float>, output: UnsafeMutablePointer<Float>
  ) {
    var a0 = bias
    var a1 = bias
    var a2 = bias
    var a3 = bias
    var a4 = bias
    var a5 = bias
    for tap in 0..<tapCount {
      let weight = VectorAccess.load(weights + 16 * tap)
      let source = input + taps[tap]
      VectorArithmetic.multiplyAdd(&a0, weight, VectorAccess.load(source))
      VectorArithmetic.multiplyAdd(&a1, weight, VectorAccess.load(source + columnStride))
      VectorArithmetic.multiplyAdd(&a2, weight, VectorAccess.load(source + 2 * columnStride))
      VectorArithmetic.multiplyAdd(&a3, weight, VectorAccess.load(source + 3 * columnStride))
      VectorArithmetic.multiplyAdd(&a4, weight, VectorAccess.load(source + 4 * columnStride))
      VectorArithmetic.multiplyAdd(&a5, weight, VectorAccess.load(source + 5 * columnStride))
    }
    VectorAccess.store(a0, output)
    VectorAccess.store(a1, output + 16)
    VectorAccess.store(a2, output + 32)
    VectorAccess.store(a3, output + 48)
    VectorAccess.store(a4, output + 64)
    VectorAccess.store(a5, output + 80)
  }

  /// One or two outputs (`count`), with independent accumulators.
  @inline(__always)
  private static func runTail(
    count: Int, input: UnsafePointer<Float>, columnStride: Int, taps: UnsafePointer<Int>,
    weights: UnsafePointer<Float>, tapCount: Int, bias: SIMD16<Float>, output: UnsafeMutablePointer<Float>
  ) {
    var a0 = bias
    var a1 = bias
    for tap in 0..<tapCount {
      let weight = VectorAccess.load(weights + 16 * tap)
      let source = input + taps[tap]
      VectorArithmetic.multiplyAdd(&a0, weight, VectorAccess.load(source))
      if count > 1 { VectorArithmetic.multiplyAdd(&a1, weight, VectorAccess.load(source + columnStride)) }
    }
    VectorAccess.store(a0, output)
    if count > 1 { VectorAccess.store(a1, output + 16) }
  }
}
