import ResPlan
import Testing

/// `WinogradFilter.transform` against the definition `U = G g Gᵀ`, for channel counts that leave every number
/// of channels (1 to 3) past the transform's groups of four, and output counts that leave a partial panel.
@Suite struct WinogradFilterTests {
  /// Rows of G for F(2×2) (interpolation at 0, ±1, ∞) and F(4×4) (0, 1, −1, ½, −2, ∞): row `j` of a finite
  /// point `a` is `(1, a, a²) / ∏(a − b)` over the other finite points `b`, the last row `(0, 0, 1)`.
  static func g(tile: Int) -> [[Double]] {
    if tile == 2 {
      return [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
    }
    let points: [Double] = [0, 1, -1, 0.5, -2]
    let finite = points.map { point in
      let scale = points.filter { $0 != point }.reduce(1.0) { $0 * (point - $1) }
      return [1, point, point * point].map { $0 / scale }
    }
    return finite + [[0, 0, 1]]
  }

  /// Panel widths with their output counts: the NCHW kernel's 6-row panels (7 outputs: a partial lane group
  /// and a partial panel) and channels-last's 16 (19 outputs: full groups of eight lanes, then three).
  static let panels: [(width: Int, rows: Int)] = [(6, 7), (16, 19)]

  /// Rows of the stride-2 transform's G: `F(4, 2)`'s (points 0, 1, −1, 2, ∞) or `F(2, 2)`'s (0, 1, ∞) on taps
  /// 0 and 2, then tap 1.
  static func stridedG(tile: Int) -> [[Double]] {
    if tile == 2 {
      return [[1, 0, 0], [1, 0, 1], [0, 0, 1], [0, 1, 0]]
    }
    return [[0.5, 0, 0], [-0.5, 0, -0.5], [-1.0 / 6, 0, 1.0 / 6], [1.0 / 6, 0, 1.0 / 3], [0, 0, 1], [0, 1, 0]]
  }

  @Test(arguments: [2, 4], [1, 2, 3, 5, 38])
  func transformMatchesTheDefinition(tile: Int, depth: Int) throws {
    for (width, rows) in Self.panels {
      try check(tile: tile, depth: depth, width: width, rows: rows)
    }
  }

  @Test(arguments: [2, 4], [1, 3, 38])
  func stridedTransformMatchesTheDefinition(tile: Int, depth: Int) throws {
    for (width, rows) in Self.panels {
      try check(tile: tile, stride: 2, depth: depth, width: width, rows: rows)
    }
  }

  /// The stride-2 transform is for 2×2 and 4×4 tiles: a layout of another stride is refused.
  @Test func stridedLayoutsHaveTheirTiles() throws {
    func problem(tile: Int, stride: Int) -> String? {
      PanelLayout(
        width: 16, matrices: (tile + 2) * (tile + 2), rows: 16, depth: 16, matrixStride: 16 * 16 * 9,
        rowStride: 16 * 9, depthStride: 9, winogradOutputTile: tile, winogradStride: stride
      ).problem(elementCount: 16 * 16 * 9)
    }
    #expect(problem(tile: 4, stride: 2) == nil)
    #expect(problem(tile: 4, stride: 1) == nil)
    #expect(problem(tile: 2, stride: 2) == nil)
    #expect(problem(tile: 4, stride: 3)?.contains("stride 3") == true)
    let untransformed = PanelLayout(
      width: 16, matrices: 1, rows: 16, depth: 16, matrixStride: 256, rowStride: 16, depthStride: 1, winogradStride: 2)
    #expect(untransformed.problem(elementCount: 256)?.contains("without a Winograd output tile") == true)
    // The stride travels in the plan (and stride 1 stays off the wire).
    let strided = try #require(WinogradFilter.layout(outputTile: 4, stride: 2, groups: 1, rows: 16, depth: 16, width: 16))
    #expect(PanelLayout(strided.message) == strided && strided.message.winogradStride == 2)
    let plain = try #require(WinogradFilter.layout(outputTile: 4, groups: 1, rows: 16, depth: 16, width: 16))
    #expect(PanelLayout(plain.message) == plain && plain.message.winogradStride == 0)
  }

  private func check(tile: Int, stride: Int = 1, depth: Int, width: Int, rows: Int) throws {
    let layout = try #require(
      WinogradFilter.layout(outputTile: tile, stride: stride, groups: 1, rows: rows, depth: depth, width: width))
    var random = SeededGenerator(seed: 5)
    let weights = random.floats(rows * depth * 9)
    var packed = [Float](repeating: .nan, count: layout.floatCount)
    weights.withUnsafeBufferPointer { source in
      packed.withUnsafeMutableBufferPointer { WinogradFilter.transform(source.baseAddress!, layout: layout, into: $0.baseAddress!) }
    }
    let g = stride == 2 ? Self.stridedG(tile: tile) : Self.g(tile: tile)
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
