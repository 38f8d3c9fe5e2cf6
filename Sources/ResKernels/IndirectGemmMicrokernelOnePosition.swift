/// The last single output position of a block of a channels-last convolution, against the one to four
/// 16-channel weight panels of the six-position tile it replaces (`IndirectGemmMicrokernel6x16/6x32/6x64`).
///
/// A 7×7 output has 49 positions: eight six-position tiles and one. The six-position kernels compute a
/// one-position tile at full cost, so ResNet's stride-2 3×3 and downsampling layers into 7×7 did 54
/// positions of work for 49. Here the position costs one broadcast and `panels` loads and multiply-adds
/// per reduction step.
///
/// Each output is the same chain as in those kernels: a sum from zero, taps outermost and channels within
/// each tap, one multiply-add per step, then `GemmMicrokernel6x16.finish`. `matchesSixPositionKernels` says
/// which widths are summed the same way: the others stay with the six-position kernels.
public enum IndirectGemmMicrokernelOnePosition {
  public static let panelWidth = IndirectGemmMicrokernel6x16.lanes

  /// Whether a tile of `columns` channels is summed here exactly as the six-position kernels sum it: they
  /// take a last panel of at most 8 channels on a narrower path that splits each tap's channels into even
  /// and odd chains (`IndirectGemmMicrokernel6x16.runLowerHalf`), so such a tile stays with them.
  public static func matchesSixPositionKernels(columns: Int) -> Bool {
    let last = columns % panelWidth
    return columns > 0 && columns <= GemmMicrokernelOneRow.maximumPanels * panelWidth
      && (last == 0 || last > GemmMicrokernel6x16.halfWidth)
  }

  /// Computes `tile` (one position; at most `GemmMicrokernelOneRow.maximumPanels` panels of channels).
  public static func run(_ tile: IndirectGemmTile) {
    switch (tile.columns + panelWidth - 1) / panelWidth {
    case 1: run(tile, as: InlineArray<1, SIMD16<Float>>.self)
    case 2: run(tile, as: InlineArray<2, SIMD16<Float>>.self)
    case 3: run(tile, as: InlineArray<3, SIMD16<Float>>.self)
    default: run(tile, as: InlineArray<4, SIMD16<Float>>.self)
    }
  }

  /// `run` for a tile of exactly `count` panels (the last possibly partial); only those panels are read.
  @inline(__always)
  static func run<let count: Int>(_ tile: IndirectGemmTile, as: InlineArray<count, SIMD16<Float>>.Type) {
    var sums = InlineArray<count, SIMD16<Float>>(repeating: SIMD16<Float>())
    let channelStride = tile.taps * panelWidth
    let panelStride = tile.bPanelStride
    var rows = tile.indirection
    var tapWeights = tile.b
    for _ in 0..<tile.taps {
      let a = rows[0] + tile.channelOffset
      var b = tapWeights
      var channel = 0
      while channel < tile.channels {
        let x = a[channel]
        for panel in 0..<count {
          VectorArithmetic.multiplyAdd(&sums[panel], x, VectorAccess.load(b + panel &* panelStride))
        }
        b += channelStride
        channel &+= 1
      }
      rows += IndirectGemmMicrokernel6x16.positions
      tapWeights += panelWidth
    }
    tile.gemmTile.finishPanels(sums)
  }
}
