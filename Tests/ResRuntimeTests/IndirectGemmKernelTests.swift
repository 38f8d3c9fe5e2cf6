import ResKernels
import Testing

/// An indirect-GEMM microkernel against a naive loop. Run from KernelGridTests, as the registry's
/// `indirectGemm` entries: every valid row count, column counts at the edges and on both sides of the
/// half-width path, 1 and 3 taps (9 with the epilogues), channel blocks of 0 to 19 channels (odd and even
/// counts for the paired lower-half loop; 16, a group's, written out by the twelve-position kernel) at the
/// first channel and after it, accumulating or not, some rows'
/// taps in the padding (the zero row); then the fused epilogue with per-column bias, residual and each
/// activation. Input cells outside the summed block of channels and weight panel vectors of other channel
/// blocks are NaN, so a kernel that read one would carry it to C; cells of C outside the tile must keep
/// their bits. Half the tiles carry a cache hint (`IndirectGemmTile.prefetch`), which must change nothing.
enum IndirectGemmKernelTests {
  static func check(_ kernel: IndirectGemmMicrokernel) {
    var random = SeededGenerator(seed: 43)
    for taps in [1, 3] {
      for (channels, channelOffset) in [(0, 0), (1, 0), (2, 3), (7, 0), (16, 2), (19, 5)] {
        for rows in 1...kernel.positions {
          // A kernel spanning panels also at its narrow path's edge (a second panel of 8 or 9 channels).
          let panelEdges = kernel.lanes > kernel.panelWidth ? [kernel.panelWidth + 8, kernel.panelWidth + 9] : []
          for columns in [1, kernel.lanes / 2, kernel.lanes / 2 + 1, kernel.lanes] + panelEdges {
            let spec = Case(
              taps: taps, channels: channels, channelOffset: channelOffset, rows: rows, columns: columns,
              accumulate: (rows + columns + taps) % 2 == 0, epilogue: nil)
            checkTile(kernel, spec, &random)
          }
        }
      }
    }
    for (index, activation) in MicrokernelRegistry.epilogueTestFunctions.enumerated() {
      let epilogue = Epilogue(bias: index % 3 != 2, residual: index % 2 == 1, activation: activation)
      for rows in [1, kernel.positions - 1, kernel.positions] {
        for columns in [3, kernel.lanes / 2, kernel.lanes - 1, kernel.lanes] {
          let spec = Case(
            taps: 9, channels: 5, channelOffset: index % 2 * 4, rows: rows, columns: columns,
            accumulate: index % 4 == 1, epilogue: epilogue)
          checkTile(kernel, spec, &random)
        }
      }
    }
  }

  private struct Epilogue {
    var bias: Bool
    var residual: Bool
    var activation: PointwiseFunction
  }

  private struct Case {
    var taps: Int
    /// Channels of the block the call sums, and the block's first channel.
    var channels: Int
    var channelOffset: Int
    var rows: Int
    var columns: Int
    var accumulate: Bool
    var epilogue: Epilogue?
  }

  private static func checkTile(_ kernel: IndirectGemmMicrokernel, _ spec: Case, _ random: inout SeededGenerator) {
    let (positions, lanes) = (kernel.positions, kernel.lanes)
    // The group's channels: the block and at least one channel on each side of it that the call must not sum.
    let groupChannels = spec.channelOffset + spec.channels + 2
    let pitch = groupChannels + 1
    let inputPositions = 23
    var input = random.floats(inputPositions * pitch)
    for index in input.indices {
      let channel = index % pitch
      if channel < spec.channelOffset || channel >= spec.channelOffset + spec.channels { input[index] = .nan }
    }
    let zeroRow = [Float](repeating: 0, count: groupChannels)
    // Which input position each row reads at each tap (nil: the padding); rows past `rows` repeat the last
    // valid row, as the tile requires. The table holds six-row tiles whatever the kernel's tile
    // (`IndirectGemmTile.indirection`): a twelve-position kernel reads two (`run` lays them out).
    let sources: [[Int?]] = (0..<spec.taps).map { tap in
      (0..<max(positions, IndirectGemmMicrokernel6x16.positions)).map { row in
        let valid = min(row, spec.rows - 1)
        return (valid + 2 * tap) % 5 == 3 ? nil : (valid * 3 + tap * 2) % inputPositions
      }
    }
    // The panel of every group channel, ONNX order (step `c · taps + tap`), zero past the valid columns;
    // NaN outside the block.
    // A kernel spanning several panels reads them `panelStride` apart, with NaN between them.
    let weights = random.floats(groupChannels * spec.taps * lanes)
    let width = kernel.panelWidth
    let panelStride = groupChannels * spec.taps * width + 7
    var panel = [Float](repeating: .nan, count: panelStride * (lanes / width))
    for channel in spec.channelOffset..<(spec.channelOffset + spec.channels) {
      for step in (channel * spec.taps)..<((channel + 1) * spec.taps) {
        for lane in 0..<lanes {
          panel[lane / width * panelStride + step * width + lane % width] =
            lane < spec.columns ? weights[step * lanes + lane] : 0
        }
      }
    }
    let stride = lanes + 3
    let initial = random.floats(positions * stride)
    let bias = random.floats(lanes)
    let residual = random.floats(positions * stride)
    var c = initial
    run(kernel, spec, input: input, zeroRow: zeroRow, sources: sources, panel: panel, panelStride: panelStride, pitch: pitch, c: &c,
      cRowStride: stride, bias: bias, residual: residual)
    var mismatch: String?
    for index in c.indices where mismatch == nil {
      let (row, column) = (index / stride, index % stride)
      guard row < spec.rows, column < spec.columns else {
        if c[index].bitPattern != initial[index].bitPattern { mismatch = "wrote outside the tile at (\(row), \(column))" }
        continue
      }
      var sum = spec.accumulate ? Double(initial[index]) : 0
      for tap in 0..<spec.taps {
        guard let source = sources[tap][row] else { continue }
        for channel in spec.channelOffset..<(spec.channelOffset + spec.channels) {
          let weight = weights[(channel * spec.taps + tap) * lanes + column]
          sum += Double(input[source * pitch + channel]) * Double(weight)
        }
      }
      if let epilogue = spec.epilogue {
        if epilogue.bias { sum += Double(bias[column]) }
        if epilogue.residual { sum += Double(residual[index]) }
        sum = NaiveMath.pointwise(epilogue.activation, sum)
      }
      let tolerance = 2e-6 * Double(spec.taps * spec.channels + 4)
      if !NaiveMath.close(c[index], sum, absolute: tolerance, relative: 1e-4) {
        mismatch = "(\(row), \(column)): \(c[index]) vs \(sum)"
      }
    }
    #expect(mismatch == nil, "\(kernel.name) \(spec): \(mismatch ?? "")")
  }

  private static func run(
    _ kernel: IndirectGemmMicrokernel, _ spec: Case, input: [Float], zeroRow: [Float], sources: [[Int?]],
    panel: [Float], panelStride: Int, pitch: Int, c: inout [Float], cRowStride: Int, bias: [Float], residual: [Float]
  ) {
    input.withUnsafeBufferPointer { inputPointer in
      zeroRow.withUnsafeBufferPointer { zeroPointer in
        // Six-row tiles, each tap-major.
        let tileRows = IndirectGemmMicrokernel6x16.positions
        let table = (0..<(sources[0].count / tileRows)).flatMap { tile in
          sources.flatMap { rows in
            rows[(tile * tileRows)..<((tile + 1) * tileRows)].map { source in
              source.map { inputPointer.baseAddress! + $0 * pitch } ?? zeroPointer.baseAddress!
            }
          }
        }
        table.withUnsafeBufferPointer { tablePointer in
          panel.withUnsafeBufferPointer { panelPointer in
            bias.withUnsafeBufferPointer { biasPointer in
              residual.withUnsafeBufferPointer { residualPointer in
                c.withUnsafeMutableBufferPointer { cPointer in
                  let epilogue = spec.epilogue.map { epilogue in
                    TileEpilogue(
                      bias: epilogue.bias ? biasPointer.baseAddress : nil, biasColumnStride: 1,
                      residual: epilogue.residual ? residualPointer.baseAddress : nil, residualRowStride: cRowStride,
                      activation: epilogue.activation)
                  }
                  var tile = IndirectGemmTile(
                    taps: spec.taps, channels: spec.channels, channelOffset: spec.channelOffset,
                    indirection: tablePointer.baseAddress!,
                    b: panelPointer.baseAddress! + spec.channelOffset * spec.taps * kernel.panelWidth,
                    bPanelStride: panelStride, c: cPointer.baseAddress!, cRowStride: cRowStride, rows: spec.rows,
                    columns: spec.columns, accumulate: spec.accumulate, epilogue: epilogue)
                  // A cache hint (the weights a later tile reads) on every other tile, a whole line or a part of
                  // one per step, on some of four panels at once: it must change nothing.
                  if spec.rows % 2 == 0 {
                    tile.prefetch = panelPointer.baseAddress! + panelStride / 2
                    tile.prefetchStep = spec.rows % 4 == 0 ? 2 : 16
                    tile.prefetchPanelStride = spec.columns % 2 == 0 ? panelStride / 4 : 0
                  }
                  kernel.run(tile)
                }
              }
            }
          }
        }
      }
    }
  }
}
