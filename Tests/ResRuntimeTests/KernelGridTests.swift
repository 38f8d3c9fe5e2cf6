import ResKernels
import Testing

/// Every microkernel in `MicrokernelRegistry.all` against a naive loop over edge sizes (DESIGN.md §6 item 3).
/// A kernel added to the table is tested here without further work; one missing from this switch does not
/// compile.
@Suite struct KernelGridTests {
  @Test(arguments: MicrokernelRegistry.all.map(\.name))
  func microkernelMatchesNaiveLoops(name: String) throws {
    let kernel = try #require(MicrokernelRegistry.all.first { $0.name == name })
    switch kernel {
    case .gemm(let gemm): try checkGemm(gemm)
    case .indirectGemm(let kernel): IndirectGemmKernelTests.check(kernel)
    case .directConv(let kernel): checkDirectConv(kernel)
    case .gridConv(let kernel): GridConvKernelTests.check(kernel)
    case .channelsLastGrid(let kernel): ChannelsLastGridKernelTests.check(kernel)
    case .depthwise(let kernel): checkDepthwise(kernel)
    case .pool(let kernel): checkPool(kernel)
    case .binary(let operation, let pattern): checkBinary(operation, pattern)
    case .pointwise(let function): checkPointwise(function)
    case .scaleShift: checkScaleShift()
    case .gatedSkip(let pattern): checkGatedSkip(pattern)
    case .depthwiseGrid: DepthwiseGridKernelTests.checkGrid()
    case .depthwiseChannels: DepthwiseChannelKernelTests.check()
    case .softmaxRow: NormalizationKernelTests.checkSoftmaxRows()
    case .softmaxRows: NormalizationKernelTests.checkSoftmaxRowGroups()
    case .layerNormRow: NormalizationKernelTests.checkLayerNormRows()
    case .transpose: MovementKernelTests.checkTransposeTiles()
    case .deinterleave: MovementKernelTests.checkDeinterleavedRows()
    case .channelsLastDepthwise: ChannelsLastDepthwiseKernelTests.check()
    case .channelsLastDepthwisePlane: ChannelsLastDepthwisePlaneKernelTests.check()
    case .channelsLastPool: ChannelsLastPoolKernelTests.checkRows()
    case .channelsLastGlobalAverage: ChannelsLastPoolKernelTests.checkGlobalAverage()
    }
  }

  @Test func registryNamesAreUniqueAndEncodeTheISA() {
    let names = MicrokernelRegistry.all.map(\.name)
    #expect(Set(names).count == names.count)
    #expect(names.allSatisfy { $0.hasPrefix("f32_") && $0.hasSuffix("_\(BuildISA.name)") })
  }

  // MARK: GEMM

  /// Rows 1...MR, columns 1...NR, several depths, accumulate on and off, and epilogues with every bias
  /// layout, residual on and off, alpha, and each activation; A packed or read in place as the kernel says.
  private func checkGemm(_ kernel: GemmMicrokernel) throws {
    var random = SeededGenerator(seed: 7)
    let depths = [0, 1, 2, 5, 33]
    // A strip kernel (`maximumRows` beyond `mr`) also over several row panels and a short last one.
    let rowCounts = 1...min(kernel.maximumRows, kernel.maximumRows > kernel.mr ? 2 * kernel.mr + 3 : kernel.mr)
    for depth in depths {
      for rows in rowCounts {
        // A kernel spanning panels also at its narrow path's edges (a last panel of 8 or 9 columns).
        let panelEdges = stride(from: kernel.panelWidth, to: kernel.nr, by: kernel.panelWidth).flatMap { [$0 + 8, $0 + 9] }
        for columns in [1, 2, kernel.nr / 2, kernel.nr / 2 + 1, kernel.nr - 1, kernel.nr] + panelEdges + stripColumns(kernel) {
          for accumulate in [false, true] {
            try checkGemmTile(kernel, depth, rows, columns, accumulate, epilogue: nil, &random)
          }
        }
      }
    }
    let layouts: [(rowStride: Int, columnStride: Int)] = [(1, 0), (0, 1), (kernel.nr, 1)]
    for (index, activation) in MicrokernelRegistry.epilogueTestFunctions.enumerated() {
      let layout = layouts[index % layouts.count]
      let epilogue = EpilogueSpec(
        alpha: index % 2 == 0 ? 1 : 0.5, biasLayout: index % 4 == 3 ? nil : layout, biasScale: index % 3 == 0 ? 1 : 2,
        residual: index % 2 == 1, activation: activation)
      for rows in [1, kernel.mr - 1, kernel.mr] + (kernel.maximumRows > kernel.mr ? [2 * kernel.mr + 1] : []) {
        for columns in [1, kernel.nr / 2, kernel.nr - 1, kernel.nr] + stripColumns(kernel) {
          try checkGemmTile(kernel, 9, rows, columns, index % 2 == 0, epilogue: epilogue, &random)
        }
      }
    }
    try checkWholeTiles(kernel, layouts: [nil] + layouts.map(Optional.some))
  }

  /// For a strip kernel (`maximumColumns` beyond `nr`): several column tiles, the last one whole, one column
  /// wide, or ending in a narrow second panel (8 or 9 columns, its narrower path).
  private func stripColumns(_ kernel: GemmMicrokernel) -> [Int] {
    guard kernel.maximumColumns > kernel.nr else { return [] }
    let nr = kernel.nr
    return [nr + 1, 2 * nr, 2 * nr + kernel.panelWidth + 8, 2 * nr + kernel.panelWidth + 9]
  }

  /// Whole tiles that overwrite C with an unscaled epilogue and a piecewise-linear activation, which the
  /// kernel finishes in registers (`GemmMicrokernel6x16.storeWholeTile`): against the naive loop, and bit
  /// for bit against the same tile one column narrower, which takes the general finish.
  private func checkWholeTiles(_ kernel: GemmMicrokernel, layouts: [(rowStride: Int, columnStride: Int)?]) throws {
    let activations: [PointwiseFunction] = [.identity, .relu, .clip(min: -0.5, max: 0.75)]
    for activation in activations {
      for layout in layouts {
        for residual in [false, true] {
          let epilogue = EpilogueSpec(alpha: 1, biasLayout: layout, biasScale: 1, residual: residual, activation: activation)
          var whole = SeededGenerator(seed: 11)
          var narrow = SeededGenerator(seed: 11)
          let full = try checkGemmTile(kernel, 9, kernel.mr, kernel.nr, false, epilogue: epilogue, &whole)
          let partial = try checkGemmTile(kernel, 9, kernel.mr, kernel.nr, false, epilogue: epilogue, &narrow, computed: kernel.nr - 1)
          #expect(
            zip(full, partial).enumerated().allSatisfy { index, pair in
              index % (kernel.nr + 3) >= kernel.nr - 1 || pair.0.bitPattern == pair.1.bitPattern
            }, "\(kernel.name) \(activation) bias \(String(describing: layout)) residual \(residual): whole and narrower tiles differ")
        }
      }
    }
  }

  private struct EpilogueSpec {
    var alpha: Float
    var biasLayout: (rowStride: Int, columnStride: Int)?
    var biasScale: Float
    var residual: Bool
    var activation: PointwiseFunction
  }

  /// Runs one tile on random operands and checks it against the naive loop; returns C. With `computed`, the
  /// operands are those of a `rows × columns` tile but the kernel computes only its first `computed` columns.
  @discardableResult
  private func checkGemmTile(
    _ kernel: GemmMicrokernel, _ depth: Int, _ rows: Int, _ operandColumns: Int, _ accumulate: Bool,
    epilogue spec: EpilogueSpec?, _ random: inout SeededGenerator, computed: Int? = nil
  ) throws -> [Float] {
    let columns = computed ?? operandColumns
    let (mr, nr) = (kernel.mr, kernel.nr)
    // Room for the tile's columns: `nr`, or more for a strip kernel.
    let tileColumns = max(nr, operandColumns)
    let stride = tileColumns + 3
    let a = random.floats(rows * depth)
    let b = random.floats(depth * operandColumns)
    // A packed (zero-padded to MR rows), or A's valid rows only, `aRowStride` apart with NaN past the depth.
    let aRowStride = depth + 3
    let aPanelStride = kernel.aPanelRows * max(depth, 1) + 7
    var aPanel: [Float]
    switch kernel.aLayout {
    case .panels:
      // Panels of the kernel's A panel rows (a tall kernel reads several, `aPanelStride` apart, NaN between).
      let panelRows = kernel.aPanelRows
      aPanel = [Float](repeating: .nan, count: aPanelStride * (mr / panelRows))
      for k in 0..<depth {
        for i in 0..<mr {
          aPanel[(i / panelRows) * aPanelStride + k * panelRows + i % panelRows] = i < rows ? a[i * depth + k] : 0
        }
      }
    case .rows:
      aPanel = [Float](repeating: .nan, count: rows * aRowStride)
      for i in 0..<rows {
        for k in 0..<depth { aPanel[i * aRowStride + k] = a[i * depth + k] }
      }
    }
    // B in panels of the kernel's panel width (a wide kernel reads several, `bPanelStride` apart), with a
    // gap of NaN between them that a kernel reading past its panel would pick up.
    let width = kernel.panelWidth
    let bPanelStride = width * max(depth, 1) + 5
    let paddedColumns = (tileColumns + width - 1) / width * width
    var bPanel = [Float](repeating: .nan, count: bPanelStride * (paddedColumns / width))
    for k in 0..<depth {
      for j in 0..<paddedColumns {
        bPanel[(j / width) * bPanelStride + k * width + j % width] = j < columns ? b[k * operandColumns + j] : 0
      }
    }
    // Room for the tile's rows: `mr`, or more for a strip kernel.
    let tileRows = max(mr, rows)
    let initial = random.floats(tileRows * stride)
    let bias = random.floats(tileRows * tileColumns)
    let residual = random.floats(tileRows * stride)
    var c = initial
    aPanel.withUnsafeBufferPointer { aPointer in
      bPanel.withUnsafeBufferPointer { bPointer in
        bias.withUnsafeBufferPointer { biasPointer in
          residual.withUnsafeBufferPointer { residualPointer in
            c.withUnsafeMutableBufferPointer { cPointer in
              let tileEpilogue = spec.map { spec in
                TileEpilogue(
                  alpha: spec.alpha, bias: spec.biasLayout == nil ? nil : biasPointer.baseAddress,
                  biasRowStride: spec.biasLayout?.rowStride ?? 0, biasColumnStride: spec.biasLayout?.columnStride ?? 0,
                  biasScale: spec.biasScale, residual: spec.residual ? residualPointer.baseAddress : nil,
                  residualRowStride: stride, activation: spec.activation)
              }
              kernel.run(
                GemmTile(
                  depth: depth, a: aPointer.baseAddress!, aRowStride: aRowStride, aPanelStride: aPanelStride,
                  b: bPointer.baseAddress!, bPanelStride: bPanelStride, c: cPointer.baseAddress!,
                  cRowStride: stride, rows: rows, columns: columns, accumulate: accumulate, epilogue: tileEpilogue))
            }
          }
        }
      }
    }
    for i in 0..<tileRows {
      for j in 0..<stride {
        let index = i * stride + j
        guard i < rows, j < columns else {
          #expect(c[index].bitPattern == initial[index].bitPattern, "\(kernel.name) wrote outside the tile at (\(i), \(j))")
          continue
        }
        var sum = accumulate ? Double(initial[index]) : 0
        for k in 0..<depth { sum += Double(a[i * depth + k]) * Double(b[k * operandColumns + j]) }
        if let spec {
          sum *= Double(spec.alpha)
          if let layout = spec.biasLayout {
            sum += Double(spec.biasScale) * Double(bias[i * layout.rowStride + j * layout.columnStride])
          }
          if spec.residual { sum += Double(residual[index]) }
          sum = NaiveMath.pointwise(spec.activation, sum)
        }
        let tolerance = 2e-6 * Double(depth + 4)
        #expect(
          NaiveMath.close(c[index], sum, absolute: tolerance, relative: 1e-4),
          "\(kernel.name) depth \(depth) tile \(rows)x\(columns) accumulate \(accumulate) at (\(i), \(j)): \(c[index]) vs \(sum)")
      }
    }
    return c
  }

  // MARK: Direct convolution

  /// Every valid channel count (1...16) and position count (1...6), no input channel up to several, one tap
  /// to a 3x3 window, each way of summing in channel blocks (whole, first block, middle block, last block),
  /// then each activation with bias and residual on and off. The weights' lanes past the valid channels are
  /// NaN, so a kernel that let them reach the output fails.
  private func checkDirectConv(_ kernel: DirectConvMicrokernel) {
    var random = SeededGenerator(seed: 23)
    let blocks = DirectConvCase.Block.allCases
    for (channels, tapCount) in [(0, 1), (1, 1), (3, 4), (5, 9)] {
      for outputChannels in 1...kernel.lanes {
        for positions in 1...kernel.positions {
          let geometry = DirectConvCase(
            channels: channels, tapCount: tapCount, outputChannels: outputChannels, positions: positions,
            block: blocks[(outputChannels + positions) % blocks.count], epilogue: nil)
          checkDirectConvTile(kernel, geometry, &random)
        }
      }
    }
    for (index, activation) in MicrokernelRegistry.epilogueTestFunctions.enumerated() {
      for (outputChannels, positions) in [(1, 1), (kernel.lanes - 3, kernel.positions - 1), (kernel.lanes, kernel.positions)] {
        let epilogue = DirectConvCase.Epilogue(bias: index % 3 != 2, residual: index % 2 == 0, activation: activation)
        let geometry = DirectConvCase(
          channels: 4, tapCount: 9, outputChannels: outputChannels, positions: positions,
          block: index % 4 == 1 ? .last : .whole, epilogue: epilogue)
        checkDirectConvTile(kernel, geometry, &random)
      }
    }
  }

  private struct DirectConvCase {
    struct Epilogue {
      var bias: Bool
      var residual: Bool
      var activation: PointwiseFunction
    }
    /// Which block of input channels the call sums: all of them, or the first, a middle or the last block
    /// (partial sums read from and/or left in the kernel's own layout).
    enum Block: CaseIterable {
      case whole, first, middle, last

      var continues: Bool { self == .middle || self == .last }
      var completes: Bool { self == .whole || self == .last }
    }
    var channels: Int
    var tapCount: Int
    var outputChannels: Int
    var positions: Int
    var block: Block
    var epilogue: Epilogue?
  }

  private func checkDirectConvTile(
    _ kernel: DirectConvMicrokernel, _ spec: DirectConvCase, _ random: inout SeededGenerator
  ) {
    let lanes = kernel.lanes
    let channelStride = 41
    let taps = (0..<spec.tapCount).map { _ in Int.random(in: 0..<12, using: &random) }
    let valid = (0..<spec.positions).map { _ in Int.random(in: 0..<20, using: &random) }
    let windows = valid + [Int](repeating: valid[spec.positions - 1], count: kernel.positions - spec.positions)
    let input = random.floats(max(spec.channels, 1) * channelStride + 40)
    var weights = random.floats(max(spec.channels * spec.tapCount, 1) * lanes)
    for step in 0..<spec.channels * spec.tapCount {
      for lane in spec.outputChannels..<lanes { weights[step * lanes + lane] = .nan }
    }
    let outputStride = kernel.positions + 3
    let initial = random.floats(lanes * outputStride)
    let bias = random.floats(lanes)
    let residual = random.floats(lanes * outputStride)
    let initialPartial = random.floats(kernel.positions * lanes)
    var partial = initialPartial
    var output = initial
    input.withUnsafeBufferPointer { inputPointer in
      weights.withUnsafeBufferPointer { weightPointer in
        taps.withUnsafeBufferPointer { tapPointer in
          windows.withUnsafeBufferPointer { windowPointer in
            bias.withUnsafeBufferPointer { biasPointer in
              residual.withUnsafeBufferPointer { residualPointer in
                partial.withUnsafeMutableBufferPointer { partialPointer in
                  output.withUnsafeMutableBufferPointer { outputPointer in
                    kernel.run(
                      DirectConvTile(
                        weights: weightPointer.baseAddress!, input: inputPointer.baseAddress!,
                        windows: windowPointer.baseAddress!, channelStride: channelStride, channels: spec.channels,
                        taps: tapPointer.baseAddress!, tapCount: spec.tapCount, output: outputPointer.baseAddress!,
                        outputChannelStride: outputStride, outputChannels: spec.outputChannels,
                        positions: spec.positions, partialSums: spec.block == .whole ? nil : partialPointer.baseAddress,
                        continuesSums: spec.block.continues, completesSums: spec.block.completes,
                        epilogue: spec.epilogue.map { epilogue in
                          ChannelTileEpilogue(
                            bias: epilogue.bias ? biasPointer.baseAddress : nil,
                            residual: epilogue.residual ? residualPointer.baseAddress : nil,
                            activation: epilogue.activation)
                        }))
                  }
                }
              }
            }
          }
        }
      }
    }
    for channel in 0..<lanes {
      for position in 0..<outputStride {
        let index = channel * outputStride + position
        let inTile = channel < spec.outputChannels && position < spec.positions
        guard inTile, spec.block.completes else {
          #expect(
            output[index].bitPattern == initial[index].bitPattern,
            "\(kernel.name) wrote the output at channel \(channel) position \(position) (\(spec.block))")
          continue
        }
        var sum = spec.block.continues ? Double(initialPartial[position * lanes + channel]) : 0
        sum += directConvSum(
          spec, weights, input, taps, window: windows[position], channelStride: channelStride, channel: channel,
          lanes: lanes)
        if let epilogue = spec.epilogue {
          if epilogue.bias { sum += Double(bias[channel]) }
          if epilogue.residual { sum += Double(residual[index]) }
          sum = NaiveMath.pointwise(epilogue.activation, sum)
        }
        #expect(
          NaiveMath.close(output[index], sum, absolute: 2e-6 * Double(spec.channels * spec.tapCount + 4), relative: 1e-4),
          "\(kernel.name) \(spec) at channel \(channel) position \(position): \(output[index]) vs \(sum)")
      }
    }
    guard !spec.block.completes else { return }
    for position in 0..<spec.positions {
      for channel in 0..<spec.outputChannels {
        var sum = spec.block.continues ? Double(initialPartial[position * lanes + channel]) : 0
        sum += directConvSum(
          spec, weights, input, taps, window: windows[position], channelStride: channelStride, channel: channel,
          lanes: lanes)
        #expect(
          NaiveMath.close(partial[position * lanes + channel], sum, absolute: 2e-6 * Double(spec.channels * spec.tapCount + 4)),
          "\(kernel.name) partial sum \(spec.block) at channel \(channel) position \(position)")
      }
    }
  }

  private func directConvSum(
    _ spec: DirectConvCase, _ weights: [Float], _ input: [Float], _ taps: [Int], window: Int, channelStride: Int,
    channel: Int, lanes: Int
  ) -> Double {
    var sum = 0.0
    for c in 0..<spec.channels {
      for (t, tap) in taps.enumerated() {
        sum += Double(weights[(c * spec.tapCount + t) * lanes + channel]) * Double(input[window + c * channelStride + tap])
      }
    }
    return sum
  }

  // MARK: Depthwise convolution

  /// Column strides 1, 2 (the kernel's two vector paths) and 3 (its gather), every row count and column
  /// count, windows of 1, 9 and 25 taps, then each activation with a bias and with and without a residual.
  private func checkDepthwise(_ kernel: DepthwiseMicrokernel) {
    var random = SeededGenerator(seed: 29)
    for columnStride in 1...3 {
      for tapCount in [1, 9, 25] {
        for rows in 1...kernel.rows {
          for columns in 1...kernel.columns {
            let spec = DepthwiseCase(
              columnStride: columnStride, tapCount: tapCount, rows: rows, columns: columns, bias: 0, residual: false,
              activation: .identity)
            checkDepthwiseTile(kernel, spec, &random)
          }
        }
      }
    }
    for (index, activation) in MicrokernelRegistry.epilogueTestFunctions.enumerated() {
      for (rows, columns) in [(1, 1), (kernel.rows - 1, kernel.columns - 3), (kernel.rows, kernel.columns)] {
        let spec = DepthwiseCase(
          columnStride: index % 3 + 1, tapCount: 9, rows: rows, columns: columns, bias: 0.375,
          residual: index % 2 == 0, activation: activation)
        checkDepthwiseTile(kernel, spec, &random)
      }
    }
  }

  private struct DepthwiseCase {
    var columnStride: Int
    var tapCount: Int
    var rows: Int
    var columns: Int
    var bias: Float
    var residual: Bool
    var activation: PointwiseFunction
  }

  private func checkDepthwiseTile(
    _ kernel: DepthwiseMicrokernel, _ spec: DepthwiseCase, _ random: inout SeededGenerator
  ) {
    let inputRowStride = 97
    let taps = (0..<spec.tapCount).map { _ in Int.random(in: 0..<40, using: &random) }
    let weights = random.floats(spec.tapCount)
    // Everything the kernel may read: its rows' windows and, at strides 1 and 2, up to 32 floats per tap.
    let input = random.floats(kernel.rows * inputRowStride + 40 + 32 * spec.columnStride)
    let outputRowStride = kernel.columns + 5
    let initial = random.floats((kernel.rows + 1) * outputRowStride)
    let residual = random.floats((kernel.rows + 1) * outputRowStride)
    var output = initial
    input.withUnsafeBufferPointer { inputPointer in
      taps.withUnsafeBufferPointer { tapPointer in
        weights.withUnsafeBufferPointer { weightPointer in
          residual.withUnsafeBufferPointer { residualPointer in
            output.withUnsafeMutableBufferPointer { outputPointer in
              kernel.run(
                DepthwiseTile(
                  input: inputPointer.baseAddress!, inputRowStride: inputRowStride, columnStride: spec.columnStride,
                  taps: tapPointer.baseAddress!, weights: weightPointer.baseAddress!, tapCount: spec.tapCount,
                  output: outputPointer.baseAddress!, outputRowStride: outputRowStride, rows: spec.rows,
                  columns: spec.columns, bias: spec.bias, residual: spec.residual ? residualPointer.baseAddress : nil,
                  activation: spec.activation))
            }
          }
        }
      }
    }
    for row in 0...kernel.rows {
      for column in 0..<outputRowStride {
        let index = row * outputRowStride + column
        guard row < spec.rows, column < spec.columns else {
          #expect(
            output[index].bitPattern == initial[index].bitPattern,
            "\(kernel.name) wrote outside the tile at row \(row) column \(column)")
          continue
        }
        var sum = Double(spec.bias)
        for (tap, offset) in taps.enumerated() {
          sum += Double(weights[tap]) * Double(input[row * inputRowStride + column * spec.columnStride + offset])
        }
        if spec.residual { sum += Double(residual[index]) }
        sum = NaiveMath.pointwise(spec.activation, sum)
        #expect(
          NaiveMath.close(output[index], sum, absolute: 2e-6 * Double(spec.tapCount + 2), relative: 1e-4),
          "\(kernel.name) \(spec) at row \(row) column \(column): \(output[index]) vs \(sum)")
      }
    }
  }

  // MARK: Pooling

  /// Maximum and mean at column strides 1, 2 and 3, every row and column count, windows of 1, 4 and 9 taps;
  /// the maximum with NaNs in the input.
  private func checkPool(_ kernel: PoolMicrokernel) {
    var random = SeededGenerator(seed: 41)
    for reduction in [PoolTile.Reduction.maximum, .mean(scale: 0.25)] {
      for columnStride in 1...3 {
        for tapCount in [1, 4, 9] {
          for rows in 1...kernel.rows {
            for columns in 1...kernel.columns {
              checkPoolTile(kernel, reduction, columnStride, tapCount, rows, columns, withNaN: false, &random)
            }
          }
        }
      }
    }
    for columnStride in 1...3 {
      checkPoolTile(kernel, .maximum, columnStride, 9, kernel.rows, kernel.columns, withNaN: true, &random)
    }
  }

  private func checkPoolTile(
    _ kernel: PoolMicrokernel, _ reduction: PoolTile.Reduction, _ columnStride: Int, _ tapCount: Int, _ rows: Int,
    _ columns: Int, withNaN: Bool, _ random: inout SeededGenerator
  ) {
    let inputRowStride = 89
    let taps = (0..<tapCount).map { _ in Int.random(in: 0..<30, using: &random) }
    var input = random.floats(kernel.rows * inputRowStride + 30 + 32 * columnStride)
    if withNaN {
      for index in stride(from: 7, to: input.count, by: 23) { input[index] = .nan }
    }
    let outputRowStride = kernel.columns + 3
    let initial = random.floats((kernel.rows + 1) * outputRowStride)
    var output = initial
    input.withUnsafeBufferPointer { inputPointer in
      taps.withUnsafeBufferPointer { tapPointer in
        output.withUnsafeMutableBufferPointer { outputPointer in
          kernel.run(
            PoolTile(
              input: inputPointer.baseAddress!, inputRowStride: inputRowStride, columnStride: columnStride,
              taps: tapPointer.baseAddress!, tapCount: tapCount, output: outputPointer.baseAddress!,
              outputRowStride: outputRowStride, rows: rows, columns: columns, reduction: reduction))
        }
      }
    }
    for row in 0...kernel.rows {
      for column in 0..<outputRowStride {
        let index = row * outputRowStride + column
        guard row < rows, column < columns else {
          #expect(output[index].bitPattern == initial[index].bitPattern, "\(kernel.name) wrote outside the tile")
          continue
        }
        let window = taps.map { Double(input[row * inputRowStride + column * columnStride + $0]) }
        let expected: Double =
          switch reduction {
          case .maximum: window.contains { $0.isNaN } ? .nan : window.max() ?? -.infinity
          case .mean(let scale): window.reduce(0, +) * Double(scale)
          }
        #expect(
          NaiveMath.close(output[index], expected, absolute: 1e-6),
          "\(kernel.name) \(reduction) stride \(columnStride) taps \(tapCount) at (\(row), \(column)): \(output[index]) vs \(expected)")
      }
    }
  }

  // MARK: Elementwise

  private func checkBinary(_ operation: BinaryOperation, _ pattern: BinaryPattern) {
    var random = SeededGenerator(seed: 11)
    for count in [0, 1, 2, 15, 16, 17, 31, 32, 33, 100] {
      var a = random.floats(max(count, 1))
      var b = random.floats(max(count, 1)).map { $0 == 0 ? 0.5 : $0 }
      if count > 3 {
        a[1] = .nan
        b[2] = .nan
      }
      // PRelu passes a −0 through unscaled.
      if count > 4 { a[4] = -0.0 }
      var y = [Float](repeating: 7, count: count + 1)
      a.withUnsafeBufferPointer { aPointer in
        b.withUnsafeBufferPointer { bPointer in
          y.withUnsafeMutableBufferPointer { yPointer in
            BinaryMicrokernels.run(
              operation, pattern, aPointer.baseAddress!, bPointer.baseAddress!, yPointer.baseAddress!, count: count)
          }
        }
      }
      #expect(y[count] == 7, "wrote past the end")
      for i in 0..<count {
        let left = pattern == .scalarVector ? a[0] : a[i]
        let right = pattern == .vectorScalar ? b[0] : b[i]
        let expected: Float =
          switch operation {
          case .add: left + right
          case .sub: left - right
          case .mul: left * right
          case .div: left / right
          case .max: left.isNaN || right.isNaN ? .nan : Swift.max(left, right)
          case .min: left.isNaN || right.isNaN ? .nan : Swift.min(left, right)
          case .prelu: left < 0 ? left * right : left
          }
        #expect(
          y[i].bitPattern == expected.bitPattern || (y[i].isNaN && expected.isNaN),
          "\(operation) \(pattern) count \(count) at \(i): \(y[i]) vs \(expected)")
      }
    }
  }

  private func checkPointwise(_ function: PointwiseFunction) {
    let specials: [Float] = [0, -0.0, 1e-8, -1e-8, 1, -1, 6, -6, 30, -30, 100, -100, 0.25, 0.75, -0.5]
    var random = SeededGenerator(seed: 13)
    for count in [1, 15, 16, 17, 40] {
      let x = (specials + random.floats(count).map { $0 * 8 }).prefix(count)
      var y = [Float](repeating: 7, count: count + 1)
      Array(x).withUnsafeBufferPointer { xPointer in
        y.withUnsafeMutableBufferPointer { yPointer in
          function.apply(xPointer.baseAddress!, yPointer.baseAddress!, count: count)
        }
      }
      #expect(y[count] == 7, "wrote past the end")
      for (i, value) in x.enumerated() {
        let expected = NaiveMath.pointwise(function, Double(value))
        #expect(
          NaiveMath.close(y[i], expected, absolute: 2e-6, relative: 2e-6),
          "\(function.name)(\(value)) = \(y[i]), expected \(expected)")
      }
    }
  }

  /// Without residual or activation the result is exactly `x·scale + shift`; with them, each activation of the
  /// registry applied to `x·scale + shift + residual`, against double-precision loops.
  private func checkScaleShift() {
    var random = SeededGenerator(seed: 17)
    for count in [0, 1, 15, 16, 17, 50] {
      let x = random.floats(max(count, 1))
      var y = [Float](repeating: 7, count: count + 1)
      x.withUnsafeBufferPointer { xPointer in
        y.withUnsafeMutableBufferPointer { yPointer in
          ScaleShiftMicrokernel.run(xPointer.baseAddress!, yPointer.baseAddress!, count: count, scale: 1.5, shift: -0.25)
        }
      }
      #expect(y[count] == 7)
      for i in 0..<count { #expect(y[i] == x[i] * 1.5 + -0.25) }
    }
    for activation in MicrokernelRegistry.epilogueTestFunctions {
      for residual in [false, true] {
        for count in [1, 15, 16, 17, 33] {
          checkScaleShiftEpilogue(count, residual: residual, activation: activation, &random)
        }
      }
    }
  }

  private func checkScaleShiftEpilogue(
    _ count: Int, residual: Bool, activation: PointwiseFunction, _ random: inout SeededGenerator
  ) {
    let x = random.floats(count).map { $0 * 4 }
    let skip = random.floats(count)
    let (scale, shift): (Float, Float) = (0.75, 0.5)
    var y = [Float](repeating: 7, count: count + 1)
    x.withUnsafeBufferPointer { xPointer in
      skip.withUnsafeBufferPointer { skipPointer in
        y.withUnsafeMutableBufferPointer { yPointer in
          ScaleShiftMicrokernel.run(
            xPointer.baseAddress!, yPointer.baseAddress!, count: count, scale: scale, shift: shift,
            residual: residual ? skipPointer.baseAddress! : nil, activation: activation)
        }
      }
    }
    #expect(y[count] == 7, "wrote past the end")
    for i in 0..<count {
      let sum = Double(x[i]) * Double(scale) + Double(shift) + (residual ? Double(skip[i]) : 0)
      let expected = NaiveMath.pointwise(activation, sum)
      #expect(
        NaiveMath.close(y[i], expected, absolute: 4e-6, relative: 4e-6),
        "\(activation.name) residual \(residual) count \(count) at \(i): \(y[i]) vs \(expected)")
    }
  }

  /// Every row length around the vector width, each operand contiguous or repeated as the pattern says, gates
  /// in [0, 1] as a Sigmoid gives them; also in place over the skipped operand when it is a vector.
  private func checkGatedSkip(_ pattern: GatedSkipPattern) {
    var random = SeededGenerator(seed: 19)
    for count in [0, 1, 2, 15, 16, 17, 31, 33, 100] {
      let length = max(count, 1)
      let t = random.floats(length).map { ($0 + 1) / 2 }
      let h = random.floats(length).map { $0 * 3 }
      let x = random.floats(length).map { $0 * 3 }
      func element(_ values: [Float], _ operand: RowOperand, _ i: Int) -> Double {
        Double(operand == .scalar ? values[0] : values[i])
      }
      let expected = (0..<count).map { i in
        let gate = element(t, pattern.gate, i)
        return gate * element(h, pattern.transformed, i) + (1 - gate) * element(x, pattern.skipped, i)
      }
      var y = [Float](repeating: 7, count: count + 1)
      runGatedSkip(pattern, t, h, x, into: &y, count: count)
      #expect(y[count] == 7, "wrote past the end")
      for i in 0..<count {
        #expect(
          NaiveMath.close(y[i], expected[i], absolute: 2e-6, relative: 2e-6),
          "\(pattern.name) count \(count) at \(i): \(y[i]) vs \(expected[i])")
      }
      guard pattern.skipped == .vector, count > 0 else { continue }
      var inPlace = x
      inPlace.withUnsafeMutableBufferPointer { xPointer in
        runGatedSkip(pattern, t, h, UnsafePointer(xPointer.baseAddress!), into: xPointer.baseAddress!, count: count)
      }
      #expect(Array(inPlace.prefix(count)) == Array(y.prefix(count)), "\(pattern.name) in place, count \(count)")
    }
  }

  private func runGatedSkip(
    _ pattern: GatedSkipPattern, _ t: [Float], _ h: [Float], _ x: [Float], into y: inout [Float], count: Int
  ) {
    x.withUnsafeBufferPointer { xPointer in
      y.withUnsafeMutableBufferPointer { yPointer in
        runGatedSkip(pattern, t, h, xPointer.baseAddress!, into: yPointer.baseAddress!, count: count)
      }
    }
  }

  private func runGatedSkip(
    _ pattern: GatedSkipPattern, _ t: [Float], _ h: [Float], _ x: UnsafePointer<Float>,
    into y: UnsafeMutablePointer<Float>, count: Int
  ) {
    t.withUnsafeBufferPointer { tPointer in
      h.withUnsafeBufferPointer { hPointer in
        GatedSkipMicrokernel.run(pattern, tPointer.baseAddress!, hPointer.baseAddress!, x, y, count: count)
      }
    }
  }
}
