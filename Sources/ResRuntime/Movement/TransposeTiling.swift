import ResKernels

/// How `ReorderOperator` cuts one image's 2-D transpose (`rows × columns` of source, the destination the other
/// way round) into tasks, and the order a task moves its 8 × 8 tiles in.
///
/// A task owns a chunk of source columns (destination rows) at least a cache line wide, `lineElements`, and
/// a band of source rows that is a whole number of `blockRows`. Within the band it goes block of 16 rows by
/// block, each block column by column, the two 8-row tiles of a column one after the other. So a source line
/// is read whole by the tiles of one block row, and each destination line (16 consecutive source rows of one
/// destination row) is written whole by two consecutive tiles. Tasks of one tile's width, rows in steps of
/// eight, read half of each source line and wrote half of each destination line per visit, the other half a
/// whole task or band later: a 1x1 chain's [3136 positions, 256 channels] output took 0.62 ms to reorder on
/// one thread (Sapphire Rapids), and DenseNet-121's 58 reorders of 32 channels into their Concats 0.53.
///
/// Columns alone are cut (about `tasksPerImage` chunks) when there are enough of them; an image of few
/// columns (DenseNet's 32 channels) is also cut into row bands so that two workers still share it: 16
/// columns in two chunks left each worker one task, and a late helper the whole step. Band edges are
/// multiples of 16 rows, so two tasks write the same destination line only where a destination row is not
/// a whole number of lines long (at most one line per destination row and band edge). Bands of eight rows
/// had two workers write the two halves of every destination line (ResNet-18's stem reorder, 64 channels:
/// 0.58 ms on two threads against 0.16 on one), which is why bands are used only where columns are few.
struct TransposeTiling: Equatable {
  /// Four-byte elements per 64-byte cache line.
  static let lineElements = 16
  /// Source rows per block: one destination line.
  static let blockRows = 16
  /// About how many tasks an image is cut into.
  static let tasksPerImage = 64

  let rows: Int
  let columns: Int
  /// Source columns per task (the last chunk may be narrower): a multiple of the tile, at least a line.
  let columnsPerTask: Int
  /// Source rows per task (the last band may be shorter): a multiple of `blockRows`.
  let rowsPerTask: Int

  init(rows: Int, columns: Int) {
    self.rows = rows
    self.columns = columns
    let tile = TransposeMicrokernel8x8.size
    let share = Self.ceilingDivision(columns, Self.tasksPerImage)
    columnsPerTask = max(Self.lineElements, Self.ceilingDivision(share, tile) * tile)
    let chunks = max(1, Self.ceilingDivision(columns, columnsPerTask))
    let bands = max(1, Self.tasksPerImage / chunks)
    rowsPerTask = max(1, Self.ceilingDivision(Self.ceilingDivision(rows, bands), Self.blockRows)) * Self.blockRows
  }

  var columnChunks: Int { max(1, Self.ceilingDivision(columns, columnsPerTask)) }
  var rowBands: Int { max(1, Self.ceilingDivision(rows, rowsPerTask)) }
  var tasks: Int { columnChunks * rowBands }

  /// The source rows and columns of task `task` (`0..<tasks`): chunks outer, bands inner.
  func ranges(ofTask task: Int) -> (rows: Range<Int>, columns: Range<Int>) {
    let chunk = task / rowBands
    let band = task % rowBands
    let rowStart = band * rowsPerTask
    let columnStart = chunk * columnsPerTask
    return (rowStart..<min(rows, rowStart + rowsPerTask), columnStart..<min(columns, columnStart + columnsPerTask))
  }

  /// Moves the task's part of one image: `destination[c·rows + r] = source[r·columns + c]` (four-byte
  /// elements) for `r` in `taskRows` and `c` in `taskColumns`, in the order described above.
  func transpose(
    _ source: UnsafeRawPointer, _ destination: UnsafeMutableRawPointer, rows taskRows: Range<Int>,
    columns taskColumns: Range<Int>
  ) {
    let tile = TransposeMicrokernel8x8.size
    for blockRow in stride(from: taskRows.lowerBound, to: taskRows.upperBound, by: Self.blockRows) {
      let blockEnd = min(taskRows.upperBound, blockRow + Self.blockRows)
      for firstColumn in stride(from: taskColumns.lowerBound, to: taskColumns.upperBound, by: tile) {
        for firstRow in stride(from: blockRow, to: blockEnd, by: tile) {
          TransposeMicrokernel8x8.run(
            source + (firstRow * columns + firstColumn) * 4, sourceStride: columns,
            destination + (firstColumn * rows + firstRow) * 4, destinationStride: rows,
            rows: min(tile, blockEnd - firstRow), columns: min(tile, taskColumns.upperBound - firstColumn))
        }
      }
    }
  }

  private static func ceilingDivision(_ value: Int, _ divisor: Int) -> Int { (value + divisor - 1) / divisor }
}
