import ResKernels
import Testing

@testable import ResRuntime

/// `GemmMicrokernelOneRow` stands in for a six-row kernel on a block's single last row (`GemmDriver`), so its
/// outputs must be those kernels' bit for bit: which row ends up alone depends on how a split cuts the rows.
@Suite struct OneRowKernelTests {
  /// Every kernel reading A in place that the driver may replace, against the one-row kernel on one row:
  /// several depths, the widths the driver hands over at each panel edge, accumulation, and an epilogue with
  /// bias, residual and ReLU.
  @Test func oneRowMatchesEverySixRowKernelBitForBit() {
    let kernels = MicrokernelRegistry.all.compactMap { entry -> GemmMicrokernel? in
      guard case .gemm(let kernel) = entry, kernel.aLayout == .rows, kernel.mr > 1 else { return nil }
      return kernel
    }
    #expect(kernels.count >= 4)
    #expect(GemmMicrokernelOneRow.matchesSixRowKernels(columns: 8) && GemmMicrokernelOneRow.matchesSixRowKernels(columns: 40))
    #expect(!GemmMicrokernelOneRow.matchesSixRowKernels(columns: 1) && !GemmMicrokernelOneRow.matchesSixRowKernels(columns: 33))
    var random = SeededGenerator(seed: 23)
    for kernel in kernels {
      let widths = Set([1, 2, 7, 8, 9, 16, 17, 18, 24, 25, 31, 32, 40, 48, 57, 64].filter {
        $0 <= kernel.nr && GemmMicrokernelOneRow.matchesSixRowKernels(columns: $0)
      })
      for depth in [1, 3, 37] {
        for columns in widths.sorted() {
          for (accumulate, fused) in [(false, false), (true, false), (false, true)] {
            let operands = Operands(depth: depth, columns: columns, panelWidth: kernel.panelWidth, &random)
            let expected = operands.run(kernel, accumulate: accumulate, fused: fused)
            let actual = operands.run(GemmDriver.oneRowKernel, accumulate: accumulate, fused: fused)
            #expect(
              expected.map(\.bitPattern) == actual.map(\.bitPattern),
              "\(kernel.name) depth \(depth) columns \(columns) accumulate \(accumulate) epilogue \(fused)")
          }
        }
      }
    }
  }

  /// One row of A, B in 16-wide panels, C's starting values, a bias and a residual.
  private struct Operands {
    let depth: Int
    let columns: Int
    let a: [Float]
    let b: [Float]
    let bPanelStride: Int
    let c: [Float]
    let bias: [Float]
    let residual: [Float]

    init(depth: Int, columns: Int, panelWidth: Int, _ random: inout SeededGenerator) {
      self.depth = depth
      self.columns = columns
      a = random.floats(depth)
      bPanelStride = panelWidth * depth
      let panels = (columns + panelWidth - 1) / panelWidth
      var b = [Float](repeating: 0, count: bPanelStride * max(panels, 1))
      for column in 0..<columns {
        for k in 0..<depth {
          b[column / panelWidth * bPanelStride + k * panelWidth + column % panelWidth] = Float.random(
            in: -1...1, using: &random)
        }
      }
      self.b = b
      c = random.floats(columns)
      bias = random.floats(columns)
      residual = random.floats(columns)
    }

    /// C after `kernel` computes the one-row tile.
    func run(_ kernel: GemmMicrokernel, accumulate: Bool, fused: Bool) -> [Float] {
      var output = c
      a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
          bias.withUnsafeBufferPointer { bias in
            residual.withUnsafeBufferPointer { residual in
              output.withUnsafeMutableBufferPointer { output in
                let epilogue =
                  fused
                  ? TileEpilogue(
                    bias: bias.baseAddress, biasColumnStride: 1, residual: residual.baseAddress,
                    residualRowStride: columns, activation: .relu) : nil
                kernel.run(
                  GemmTile(
                    depth: depth, a: a.baseAddress!, aRowStride: depth, b: b.baseAddress!, bPanelStride: bPanelStride,
                    c: output.baseAddress!, cRowStride: columns, rows: 1, columns: columns, accumulate: accumulate,
                    epilogue: epilogue))
              }
            }
          }
        }
      }
      return output
    }
  }
}

/// `IndirectGemmMicrokernelOnePosition` stands in for the six-position convolution kernels on a block's last
/// position, so its outputs must be theirs bit for bit.
@Suite struct OnePositionKernelTests {
  @Test func onePositionMatchesEverySixPositionKernelBitForBit() {
    let kernels = MicrokernelRegistry.all.compactMap { entry -> IndirectGemmMicrokernel? in
      guard case .indirectGemm(let kernel) = entry, kernel.positions > 1 else { return nil }
      return kernel
    }
    #expect(kernels.count >= 2)
    var random = SeededGenerator(seed: 29)
    for kernel in kernels {
      for columns in [1, 9, 16, 17, 25, 32, 41, 48, 57, 64] where columns <= kernel.lanes
        && IndirectGemmMicrokernelOnePosition.matchesSixPositionKernels(columns: columns)
      {
        for (taps, channels, offset) in [(1, 5, 0), (9, 7, 2), (4, 33, 1)] {
          for (accumulate, fused) in [(false, false), (true, false), (false, true)] {
            let operands = Operands(taps: taps, channels: channels, offset: offset, columns: columns, &random)
            let expected = operands.run(kernel, accumulate: accumulate, fused: fused)
            let actual = operands.run(ChannelsLastConvolution.onePositionKernel, accumulate: accumulate, fused: fused)
            #expect(
              expected.map(\.bitPattern) == actual.map(\.bitPattern),
              "\(kernel.name) taps \(taps) channels \(channels) columns \(columns) accumulate \(accumulate)")
          }
        }
      }
    }
  }

  /// One output position's input rows per tap (one in the padding), the weights in 16-wide panels, C's
  /// starting values, a bias and a residual.
  private struct Operands {
    let taps: Int
    let channels: Int
    let offset: Int
    let columns: Int
    let input: [Float]
    let zeros: [Float]
    let weights: [Float]
    let panelStride: Int
    let c: [Float]
    let bias: [Float]
    let residual: [Float]

    init(taps: Int, channels: Int, offset: Int, columns: Int, _ random: inout SeededGenerator) {
      (self.taps, self.channels, self.offset, self.columns) = (taps, channels, offset, columns)
      input = random.floats(taps * (offset + channels))
      zeros = [Float](repeating: 0, count: offset + channels)
      panelStride = (offset + channels) * taps * 16
      let panels = (columns + 15) / 16
      var weights = [Float](repeating: 0, count: panelStride * panels)
      for column in 0..<columns {
        for step in 0..<((offset + channels) * taps) {
          weights[column / 16 * panelStride + step * 16 + column % 16] = Float.random(in: -1...1, using: &random)
        }
      }
      self.weights = weights
      c = random.floats(columns)
      bias = random.floats(columns)
      residual = random.floats(columns)
    }

    func run(_ kernel: IndirectGemmMicrokernel, accumulate: Bool, fused: Bool) -> [Float] {
      var output = c
      input.withUnsafeBufferPointer { input in
        zeros.withUnsafeBufferPointer { zeros in
          // Six rows per tap, all the one position's; tap 1 reads the padding.
          let table: [UnsafePointer<Float>] = (0..<taps).flatMap { tap in
            [UnsafePointer<Float>](
              repeating: tap == 1 ? zeros.baseAddress! : input.baseAddress! + tap * (offset + channels), count: 6)
          }
          table.withUnsafeBufferPointer { table in
            weights.withUnsafeBufferPointer { weights in
              bias.withUnsafeBufferPointer { bias in
                residual.withUnsafeBufferPointer { residual in
                  output.withUnsafeMutableBufferPointer { output in
                    let epilogue =
                      fused
                      ? TileEpilogue(
                        bias: bias.baseAddress, biasColumnStride: 1, residual: residual.baseAddress,
                        residualRowStride: columns, activation: .relu) : nil
                    kernel.run(
                      IndirectGemmTile(
                        taps: taps, channels: channels, channelOffset: offset, indirection: table.baseAddress!,
                        b: weights.baseAddress! + offset * taps * 16, bPanelStride: panelStride,
                        c: output.baseAddress!, cRowStride: columns, rows: 1, columns: columns,
                        accumulate: accumulate, epilogue: epilogue))
                  }
                }
              }
            }
          }
        }
      }
      return output
    }
  }
}
