import ResKernels
import Testing

/// `GemmMicrokernel6x64` against `GemmMicrokernel6x16` panel by panel, bit for bit: a GEMM over A's rows in
/// place takes the four-panel tile for 64 columns or more, and a thread's split or a block's last tile gives a
/// column to the narrower kernels instead, so a column's sum must not depend on which one computed it.
/// (`KernelGridTests` checks each against naive loops.)
@Suite struct FourPanelGemmTests {
  static let cStride = 70

  @Test(arguments: [1, 2, 7, 33, 130])
  func fourPanelTilesEqualTheirPanelsOnTheNarrowKernel(depth: Int) {
    var random = SeededGenerator(seed: UInt64(depth) + 500)
    for columns in [33, 48, 56, 57, 63, 64] {
      for rows in [1, 4, 6] {
        let a = random.floats(rows * depth)
        let b = random.floats(64 * depth)
        let bias = random.floats(64)
        let residual = random.floats(6 * Self.cStride)
        let initial = random.floats(6 * Self.cStride)
        let wide = run(GemmMicrokernel6x64.runReadingRows, a, b, bias, residual, initial, depth, rows, [(0, columns)])
        let panels = stride(from: 0, to: columns, by: 16).map { ($0, min(16, columns - $0)) }
        let narrow = run(GemmMicrokernel6x16.runReadingRows, a, b, bias, residual, initial, depth, rows, panels)
        #expect(
          zip(wide, narrow).allSatisfy { $0.bitPattern == $1.bitPattern }, "depth \(depth), \(rows) × \(columns)")
      }
    }
  }

  /// C after `kernel` ran one tile per `(first column, columns)` piece; B in four 16-wide panels.
  private func run(
    _ kernel: (GemmTile) -> Void, _ a: [Float], _ b: [Float], _ bias: [Float], _ residual: [Float],
    _ initial: [Float], _ depth: Int, _ rows: Int, _ pieces: [(Int, Int)]
  ) -> [Float] {
    var c = initial
    for (first, columns) in pieces {
      a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
          bias.withUnsafeBufferPointer { bias in
            residual.withUnsafeBufferPointer { residual in
              c.withUnsafeMutableBufferPointer { c in
                kernel(
                  GemmTile(
                    depth: depth, a: a.baseAddress!, aRowStride: depth, b: b.baseAddress! + first * depth,
                    bPanelStride: 16 * depth, c: c.baseAddress! + first, cRowStride: Self.cStride, rows: rows,
                    columns: columns, accumulate: false,
                    epilogue: TileEpilogue(
                      bias: bias.baseAddress! + first, biasColumnStride: 1, residual: residual.baseAddress! + first,
                      residualRowStride: Self.cStride, activation: .relu)))
              }
            }
          }
        }
      }
    }
    return c
  }
}
