import ResKernels

/// How a block of GEMM rows is cut into tiles for `GemmMicrokernel6x16`'s 16-column tiles with A read in place:
/// six-row tiles from the top, and the rows left after them in one shorter tile, except that one or two rows
/// left after a six-row tile take the last four rows with them, as tiles of 4 and 3 or 4 rows.
///
/// Why: a reduction step of a six-row tile is 12 multiply-adds, 6 cycles at two per cycle; a tile of at most
/// four rows runs the kernel's four-row loop (`GemmMicrokernel6x16.runReadingRows(_:prefetching:)`), 8
/// multiply-adds in 4 cycles, its eight chains just covering the multiply-add latency; a tile of one or two rows
/// has two or four chains and still waits 4 cycles a step on that latency. So 8 rows as 6 + 2 cost 10 cycles a
/// step and as 4 + 4 cost 8; 7 rows 10 against 8 (4 + 3). Every row's sums are the same chain whichever tile
/// holds it, so the cut never changes a result. (A transformer's 8 tokens, BERT-base at batch 1, one thread:
/// 23.0 → 20.1 ms.)
struct RowTiling {
  /// Six-row tiles from the top.
  let wholeTiles: Int
  /// Rows of the one or two shorter tiles after them, in order; 0 where there is none.
  let shortTiles: (first: Int, second: Int)

  /// The tiling of `rows` rows: with the short tail re-cut when `recutsShortTail`, otherwise plain six-row
  /// tiles and one shorter last tile.
  init(rows: Int, recutsShortTail: Bool) {
    let (whole, left) = rows.quotientAndRemainder(dividingBy: Self.mr)
    if recutsShortTail, whole > 0, left > 0, left < Self.fourRows - 1 {
      (wholeTiles, shortTiles) = (whole - 1, (Self.fourRows, Self.mr + left - Self.fourRows))
    } else {
      (wholeTiles, shortTiles) = (whole, (left, 0))
    }
  }

  /// Tiles in all.
  var count: Int { wholeTiles + (shortTiles.first > 0 ? 1 : 0) + (shortTiles.second > 0 ? 1 : 0) }

  /// The rows of tile `index` (below `count`), counted from the block's first row.
  func rows(ofTile index: Int) -> Range<Int> {
    let start = min(index, wholeTiles) * Self.mr + (index > wholeTiles ? shortTiles.first : 0)
    let size = index < wholeTiles ? Self.mr : index == wholeTiles ? shortTiles.first : shortTiles.second
    return start..<start + size
  }

  private static let mr = GemmMicrokernel6x16.mr
  /// The rows of the kernel's short loop.
  private static let fourRows = 4
}
