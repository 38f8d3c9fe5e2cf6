import ResKernels
import Testing

/// The wide grid-convolution tile (`GridConvMicrokernel6x32`) against `GridConvMicrokernel6x16` on each
/// 16-position half, bit for bit: the grid method picks its kernel by the build's ISA and cuts a row's last
/// tile short, so an output's sum must not depend on which kernel computed it. (`GridConvKernelTests` checks
/// each against naive loops.) A 12-channel tile over two weight panels measured slower on ResNet-18's stem
/// (1.17 → 1.28 ms) and was dropped.
@Suite struct GridConvWideTilesTests {
  @Test(arguments: [1, 9, 27, 147])
  func wideTilesEqualTheirHalvesOnTheNarrowKernel(depth: Int) {
    var random = SeededGenerator(seed: UInt64(depth) + 400)
    for (rows, columns) in [(6, 32), (1, 17), (6, 20), (5, 32), (6, 16), (3, 31)] {
      let operands = Operands(depth: depth, &random)
      let wide = operands.run(rows: rows, columns: columns, GridConvMicrokernel6x32.run)
      let narrow = operands.run(rows: rows, columns: columns, byHalves: true, GridConvMicrokernel6x16.run)
      #expect(zip(wide, narrow).allSatisfy { $0.bitPattern == $1.bitPattern }, "depth \(depth), \(rows) × \(columns)")
    }
  }

  /// A 6-row weight panel, an input row read at scattered offsets, a per-channel bias.
  private struct Operands {
    static let cStride = 40
    let depth: Int
    let panels: [Float]
    let input: [Float]
    let offsets: [Int]
    let bias: [Float]

    init(depth: Int, _ random: inout SeededGenerator) {
      self.depth = depth
      panels = random.floats(6 * depth)
      offsets = (0..<depth).map { step in (step * 29) % 53 } + [0]
      input = random.floats(53 + 32)
      bias = random.floats(6)
    }

    /// C of the `rows × columns` tile: computed by one `kernel` call, or by one per 16 positions.
    func run(rows: Int, columns: Int, byHalves: Bool = false, _ kernel: (GridConvTile) -> Void) -> [Float] {
      var c = [Float](repeating: 0, count: 6 * Self.cStride)
      for column in byHalves ? Array(stride(from: 0, to: columns, by: 16)) : [0] {
        panels.withUnsafeBufferPointer { a in
          input.withUnsafeBufferPointer { x in
            offsets.withUnsafeBufferPointer { offsets in
              bias.withUnsafeBufferPointer { bias in
                c.withUnsafeMutableBufferPointer { c in
                  kernel(
                    GridConvTile(
                      depth: depth, a: a.baseAddress!, input: x.baseAddress! + column, offsets: offsets.baseAddress!,
                      c: c.baseAddress! + column, cRowStride: Self.cStride, rows: rows,
                      columns: byHalves ? min(16, columns - column) : columns,
                      epilogue: TileEpilogue(bias: bias.baseAddress!, biasRowStride: 1, activation: .relu)))
                }
              }
            }
          }
        }
      }
      return c
    }
  }
}
