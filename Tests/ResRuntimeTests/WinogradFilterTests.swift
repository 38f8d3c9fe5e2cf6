import ResPlan
import Testing

/// `WinogradFilter.transform` against the definition `U = G g Gᵀ`, for channel counts that leave every number
/// of channels (1 to 3) past the transform's groups of four, and output counts that leave a partial panel.
@Suite struct WinogradFilterTests {
  /// Rows of G for F(2×2) (interpolation at 0, ±1, ∞) and F(4×4) (0, ±1, ±2, ∞).
  static func g(tile: Int) -> [[Double]] {
    if tile == 2 {
      return [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
    }
    let sixth: Double = 1.0 / 6
    let twelfth: Double = 1.0 / 12
    let twentyFourth: Double = 1.0 / 24
    return [
      [0.25, 0, 0], [-sixth, -sixth, -sixth], [-sixth, sixth, -sixth],
      [twentyFourth, twelfth, sixth], [twentyFourth, -twelfth, sixth], [0, 0, 1],
    ]
  }

  /// Panel widths with their output counts: the NCHW kernel's 6-row panels (7 outputs: a partial lane group
  /// and a partial panel) and channels-last's 16 (19 outputs: full groups of eight lanes, then three).
  static let panels: [(width: Int, rows: Int)] = [(6, 7), (16, 19)]

  @Test(arguments: [2, 4], [1, 2, 3, 5, 38])
  func transformMatchesTheDefinition(tile: Int, depth: Int) throws {
    for (width, rows) in Self.panels {
      try check(tile: tile, depth: depth, width: width, rows: rows)
    }
  }

  private func check(tile: Int, depth: Int, width: Int, rows: Int) throws {
    let layout = try #require(
      WinogradFilter.layout(outputTile: tile, groups: 1, rows: rows, depth: depth, width: width))
    var random = SeededGenerator(seed: 5)
    let weights = random.floats(rows * depth * 9)
    var packed = [Float](repeating: .nan, count: layout.floatCount)
    weights.withUnsafeBufferPointer { source in
      packed.withUnsafeMutableBufferPointer { WinogradFilter.transform(source.baseAddress!, layout: layout, into: $0.baseAddress!) }
    }
    let g = Self.g(tile: tile)
    let n = tile + 2
    let paddedRows = (rows + width - 1) / width * width
    for output in 0..<paddedRows {
      for channel in 0..<depth {
        let start = ((output % rows) * depth + channel) * 9
        let filter = weights[start..<(start + 9)].map(Double.init)
        for i in 0..<n {
          for j in 0..<n {
            var expected = 0.0
            for a in 0..<3 { for b in 0..<3 { expected += g[i][a] * filter[a * 3 + b] * g[j][b] } }
            if output >= rows { expected = 0 }
            let index =
              (i * n + j) * layout.floatsPerMatrix + output / width * width * depth + channel * width + output % width
            #expect(
              abs(Double(packed[index]) - expected) <= 1e-6 * max(1, abs(expected)),
              "tile \(tile) depth \(depth) width \(width)")
          }
        }
      }
    }
  }
}
