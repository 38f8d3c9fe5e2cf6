import ResKernels
import Testing

@testable import ResRuntime

/// `RowTiling`: a block's rows cut into tiles that cover them once, in order; one or two rows left after a
/// six-row tile re-cut with the last four into tiles of 4 and 3 or 4 rows (the four-row loop), only when asked.
@Suite struct RowTilingTests {
  private func tiles(_ tiling: RowTiling) -> [Int] {
    (0..<tiling.count).map { tiling.rows(ofTile: $0).count }
  }

  @Test func shortTailsAreRecut() {
    #expect(tiles(RowTiling(rows: 7, recutsShortTail: true)) == [4, 3])
    #expect(tiles(RowTiling(rows: 8, recutsShortTail: true)) == [4, 4])
    #expect(tiles(RowTiling(rows: 9, recutsShortTail: true)) == [6, 3])
    #expect(tiles(RowTiling(rows: 12, recutsShortTail: true)) == [6, 6])
    #expect(tiles(RowTiling(rows: 14, recutsShortTail: true)) == [6, 4, 4])
    #expect(tiles(RowTiling(rows: 49, recutsShortTail: true)) == [6, 6, 6, 6, 6, 6, 6, 4, 3])
    // Nothing to re-cut: at most one tile, or no short tile.
    #expect(tiles(RowTiling(rows: 2, recutsShortTail: true)) == [2])
    #expect(tiles(RowTiling(rows: 6, recutsShortTail: true)) == [6])
  }

  @Test func plainTilingKeepsSixRowTiles() {
    #expect(tiles(RowTiling(rows: 8, recutsShortTail: false)) == [6, 2])
    #expect(tiles(RowTiling(rows: 49, recutsShortTail: false)) == [6, 6, 6, 6, 6, 6, 6, 6, 1])
  }

  /// Every row count: the tiles are contiguous from row 0, cover every row once, hold at most six rows, and
  /// (re-cut) end in no tile of one or two rows after a six-row one.
  @Test(arguments: [true, false])
  func tilesCoverEveryRowOnce(recut: Bool) {
    for rows in 1...100 {
      let tiling = RowTiling(rows: rows, recutsShortTail: recut)
      var next = 0
      for index in 0..<tiling.count {
        let range = tiling.rows(ofTile: index)
        #expect(range.lowerBound == next && (1...GemmMicrokernel6x16.mr).contains(range.count), "rows \(rows)")
        next = range.upperBound
      }
      #expect(next == rows, "rows \(rows)")
      if recut, rows > GemmMicrokernel6x16.mr {
        #expect(tiling.rows(ofTile: tiling.count - 1).count >= 3, "rows \(rows)")
      }
    }
  }
}
