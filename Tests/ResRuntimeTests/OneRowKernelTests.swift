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
    #expect(!GemmMicrokernelOneRow.matchesSixRowKernels(columns: 8) && !GemmMicrokernelOneRow.matchesSixRowKernels(columns: 40))
    var random = SeededGenerator(seed: 23)
    for kernel in kernels {
      let widths = Set([1, 7, 8, 9, 16, 17, 24, 25, 31, 32, 40, 48, 57, 64].filter {
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
