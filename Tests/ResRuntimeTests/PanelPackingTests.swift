import ResKernels
import ResPlan
import Testing

/// `PanelLayout.packRows` against a naive loop: full six-row panels (the unrolled path) and partial ones,
/// rows read along a contiguous reduction (MatMul's A) and across it (a transposed A), depths around 8. And
/// `PanelPacking.packColumns` the same way: contiguous columns (the vector path), columns contiguous along the
/// reduction (a transposed B, packed in 8 × 8 tiles, full and partial), and neither.
@Suite struct PanelPackingTests {
  @Test(arguments: [1, 7, 8, 9, 16])
  func packColumnsMatchesNaiveLoop(columns: Int) {
    var random = SeededGenerator(seed: UInt64(100 + columns))
    for width in [8, 16] where columns <= width {
      for depth in [1, 7, 8, 9, 64, 67] {
        for (depthStride, columnStride) in [(columns + 5, 1), (1, depth + 3), (columns * 2 + 1, 2)] {
          let source = random.floats(depth * depthStride + columns * columnStride + 1)
          var panel = [Float](repeating: .nan, count: depth * width + 4)
          source.withUnsafeBufferPointer { input in
            panel.withUnsafeMutableBufferPointer { output in
              PanelPacking.packColumns(
                input.baseAddress!, depthStride: depthStride, columnStride: columnStride, columns: columns,
                depth: depth, width: width, into: output.baseAddress!)
            }
          }
          let label = "columns \(columns) width \(width) depth \(depth) strides (\(depthStride), \(columnStride))"
          for k in 0..<depth {
            for j in 0..<width {
              let expected = j < columns ? source[k * depthStride + j * columnStride] : 0
              #expect(panel[k * width + j] == expected, "\(label) at (\(k), \(j))")
            }
          }
          #expect(panel[(depth * width)...].allSatisfy { $0.isNaN }, "nothing past the panel is written (\(label))")
        }
      }
    }
  }

  @Test(arguments: [1, 2, 5, 6])
  func packRowsMatchesNaiveLoop(rows: Int) {
    var random = SeededGenerator(seed: UInt64(rows))
    for width in [6, 8] where rows <= width {
      for depth in [1, 7, 8, 9, 33] {
        for (rowStride, depthStride) in [(depth + 3, 1), (1, rows + 2)] {
          let source = random.floats(rows * rowStride + depth * depthStride + 1)
          var panel = [Float](repeating: .nan, count: depth * width + 4)
          source.withUnsafeBufferPointer { input in
            panel.withUnsafeMutableBufferPointer { output in
              PanelLayout.packRows(
                input.baseAddress!, rowStride: rowStride, depthStride: depthStride, rows: rows, depth: depth,
                width: width, into: output.baseAddress!)
            }
          }
          for k in 0..<depth {
            for i in 0..<width {
              let expected = i < rows ? source[i * rowStride + k * depthStride] : 0
              #expect(panel[k * width + i] == expected, "rows \(rows) width \(width) depth \(depth) (\(k), \(i))")
            }
          }
          #expect(panel[(depth * width)...].allSatisfy { $0.isNaN }, "nothing past the panel is written")
        }
      }
    }
  }
}
