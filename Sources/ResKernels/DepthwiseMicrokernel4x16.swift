/// The f32 depthwise-convolution microkernel: 4 output rows × 16 output columns of one channel.
///
/// Four `SIMD16<Float>` accumulators (eight AVX2 registers) are independent chains, so the multiply-adds of
/// one tap overlap; per tap the weight is one broadcast shared by the four rows. Each row's taps read the
/// padded input directly (see `DepthwiseTile`), which is all a depthwise convolution needs: one GEMM per
/// channel with a single output row wasted nearly all of the GEMM microkernel.
public enum DepthwiseMicrokernel4x16 {
  public static let rows = 4
  public static let columns = 16

  public static func run(_ tile: DepthwiseTile) {
    let last = tile.rows - 1
    let row0 = tile.input
    let row1 = tile.input + min(1, last) * tile.inputRowStride
    let row2 = tile.input + min(2, last) * tile.inputRowStride
    let row3 = tile.input + min(3, last) * tile.inputRowStride
    let sums: (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)
    switch tile.columnStride {
    case 1: sums = accumulate(tile, row0, row1, row2, row3) { VectorAccess.load($0) }
    case 2: sums = accumulate(tile, row0, row1, row2, row3) { VectorAccess.loadEvenLanes($0) }
    default:
      let stride = tile.columnStride
      let columns = tile.columns
      sums = accumulate(tile, row0, row1, row2, row3) { VectorAccess.gather($0, stride: stride, columns) }
    }
    finish(sums.0, row: 0, tile)
    finish(sums.1, row: 1, tile)
    finish(sums.2, row: 2, tile)
    finish(sums.3, row: 3, tile)
  }

  /// The four rows' sums over every tap, with `load` reading 16 columns from a tap's first one.
  @inline(__always)
  static func accumulate(
    _ tile: DepthwiseTile, _ row0: UnsafePointer<Float>, _ row1: UnsafePointer<Float>, _ row2: UnsafePointer<Float>,
    _ row3: UnsafePointer<Float>, _ load: (UnsafePointer<Float>) -> SIMD16<Float>
  ) -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) {
    var a0 = SIMD16<Float>()
    var a1 = SIMD16<Float>()
    var a2 = SIMD16<Float>()
    var a3 = SIMD16<Float>()
    for tap in 0..<tile.tapCount {
      let offset = tile.taps[tap]
      let weight = tile.weights[tap]
      VectorArithmetic.multiplyAdd(&a0, weight, load(row0 + offset))
      VectorArithmetic.multiplyAdd(&a1, weight, load(row1 + offset))
      VectorArithmetic.multiplyAdd(&a2, weight, load(row2 + offset))
      VectorArithmetic.multiplyAdd(&a3, weight, load(row3 + offset))
    }
    return (a0, a1, a2, a3)
  }

  @inline(__always)
  static func finish(_ sums: SIMD16<Float>, row: Int, _ tile: DepthwiseTile) {
    guard row < tile.rows else { return }
    var values = sums + tile.bias
    if let residual = tile.residual {
      values += VectorAccess.loadPartial(residual + row * tile.outputRowStride, tile.columns)
    }
    VectorAccess.storePartial(tile.activation(values), tile.output + row * tile.outputRowStride, tile.columns)
  }
}
