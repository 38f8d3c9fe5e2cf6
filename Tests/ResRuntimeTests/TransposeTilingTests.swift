import Testing

@testable import ResRuntime

/// How a reorder's transpose is cut into tasks: every element moved by exactly one task, whatever the shape.
struct TransposeTilingTests {
  /// Each (row, column) of the source falls in exactly one task's ranges, and the tasks number about 64.
  @Test(arguments: [(3136, 256), (64, 12544), (3136, 32), (49, 2048), (196, 40), (5, 3), (1, 1), (0, 7), (7, 0), (17, 1000)])
  func tasksCoverEveryElementOnce(rows: Int, columns: Int) {
    let tiling = TransposeTiling(rows: rows, columns: columns)
    var covered = [Int](repeating: 0, count: rows * columns)
    for task in 0..<tiling.tasks {
      let part = tiling.ranges(ofTask: task)
      for row in part.rows { for column in part.columns { covered[row * columns + column] += 1 } }
    }
    #expect(covered.allSatisfy { $0 == 1 })
    #expect(tiling.tasks >= 1 && tiling.tasks <= 2 * TransposeTiling.tasksPerImage)
  }

  /// Chunks are at least a line wide and bands whole 16-row blocks; bands appear only where chunks are few.
  @Test func chunksAreWholeLinesAndBandsWholeBlocks() {
    let wide = TransposeTiling(rows: 3136, columns: 256)
    #expect(wide.columnsPerTask == 16 && wide.columnChunks == 16 && wide.rowBands == 4)
    #expect(wide.rowsPerTask % TransposeTiling.blockRows == 0)
    let stem = TransposeTiling(rows: 64, columns: 12544)
    #expect(stem.rowBands == 1 && stem.columnsPerTask == 200)
    let narrow = TransposeTiling(rows: 3136, columns: 32)
    #expect(narrow.columnChunks == 2 && narrow.rowBands == 28 && narrow.rowsPerTask == 112)
  }

  /// The task's transpose moves exactly its part, in any task order.
  @Test func theTasksTogetherTransposeTheImage() {
    let rows = 45
    let columns = 37
    let source = (0..<(rows * columns)).map { UInt32($0) }
    var destination = [UInt32](repeating: .max, count: rows * columns)
    let tiling = TransposeTiling(rows: rows, columns: columns)
    source.withUnsafeBytes { input in
      destination.withUnsafeMutableBytes { output in
        for task in (0..<tiling.tasks).reversed() {
          let part = tiling.ranges(ofTask: task)
          tiling.transpose(input.baseAddress!, output.baseAddress!, rows: part.rows, columns: part.columns)
        }
      }
    }
    for row in 0..<rows {
      for column in 0..<columns { #expect(destination[column * rows + row] == source[row * columns + column]) }
    }
  }
}
