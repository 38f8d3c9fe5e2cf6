import ResKernels
import Testing

/// `GemmMicrokernel1x16.runRow` (a recurrent step's `h·Rᵀ + Rb` at batch 1, every panel in one call) against
/// `GemmMicrokernel1x16.run` panel by panel, bit for bit, and against a naive loop: a step on one worker and a
/// step whose units are split over several (one panel per call) must produce the same state.
@Suite struct OneRowGemmTests {
  @Test(arguments: [1, 3, 4, 17, 128, 257])
  func rowEqualsItsPanelsOnTheTileKernel(depth: Int) {
    var random = SeededGenerator(seed: UInt64(depth) + 900)
    for columns in [1, 15, 16, 31, 48, 77] {
      for withBias in [false, true] {
        let panelCount = (columns + 15) / 16
        let a = random.floats(depth)
        let b = random.floats(panelCount * 16 * depth)
        let bias = random.floats(columns)
        let row = runRow(a, b, withBias ? bias : nil, depth, columns)
        let tiles = runTiles(a, b, withBias ? bias : nil, depth, columns)
        #expect(
          zip(row, tiles).allSatisfy { $0.bitPattern == $1.bitPattern }, "depth \(depth), \(columns) columns")
        for column in 0..<columns {
          var expected = Double(withBias ? bias[column] : 0)
          let panel = column / 16
          for step in 0..<depth {
            expected += Double(a[step]) * Double(b[panel * 16 * depth + step * 16 + column % 16])
          }
          #expect(abs(Double(row[column]) - expected) <= 1e-4 * Double(depth), "column \(column)")
        }
        // Nothing past the last column is written.
        #expect(row[columns...].allSatisfy { $0 == -7 })
      }
    }
  }

  private func runRow(_ a: [Float], _ b: [Float], _ bias: [Float]?, _ depth: Int, _ columns: Int) -> [Float] {
    var output = [Float](repeating: -7, count: columns + 16)
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        output.withUnsafeMutableBufferPointer { output in
          withBias(bias) { bias in
            GemmMicrokernel1x16.runRow(
              depth: depth, a: a.baseAddress!, panels: b.baseAddress!, columns: columns, bias: bias,
              output: output.baseAddress!)
          }
        }
      }
    }
    return output
  }

  private func runTiles(_ a: [Float], _ b: [Float], _ bias: [Float]?, _ depth: Int, _ columns: Int) -> [Float] {
    var output = [Float](repeating: -7, count: columns + 16)
    for first in stride(from: 0, to: columns, by: 16) {
      a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
          output.withUnsafeMutableBufferPointer { output in
            withBias(bias) { bias in
              GemmMicrokernel1x16.run(
                GemmTile(
                  depth: depth, a: a.baseAddress!, aRowStride: depth, b: b.baseAddress! + first * depth,
                  c: output.baseAddress! + first, cRowStride: 0, rows: 1, columns: min(16, columns - first),
                  accumulate: false,
                  epilogue: bias.map { TileEpilogue(bias: $0 + first, biasColumnStride: 1) }))
            }
          }
        }
      }
    }
    return output
  }

  private func withBias(_ bias: [Float]?, _ body: (UnsafePointer<Float>?) -> Void) {
    guard let bias else { return body(nil) }
    bias.withUnsafeBufferPointer { body($0.baseAddress!) }
  }
}
