import ResKernels

/// One piece of a batch of GEMMs that a worker computes: a block of one problem's output.
struct GemmTask {
  var problem: Int
  var rows: Range<Int>
  var columns: Range<Int>
}

/// Splits a batch of equally shaped GEMMs (images × groups of a convolution, batches of a MatMul) over
/// workers, only along output rows and columns, never the reduction, so results do not depend on the split.
enum GemmPartition {
  /// Pieces per worker the split aims for when cutting along output columns. More pieces than workers let a
  /// worker that gets its core back early take more of the work: on a shared machine one of two threads is
  /// often descheduled for a while, and with one piece each the other then waits out the whole delay.
  /// Column pieces pack disjoint parts of B, so they cost nothing extra; nor do they repack A, since a
  /// convolution's is prepacked and a MatMul cut into pieces reads its A in place (`GemmA.rows`).
  static let columnPiecesPerWorker = 4
  /// The same along rows, where every piece packs the whole B block again unless B is prepacked: fewer, to
  /// keep that bounded.
  static let rowPiecesPerWorker = 2
  /// The fewest tiles a piece keeps along the dimension it is cut in: below that the per-piece cost (packing
  /// setup, the tail tile) outweighs the balance it buys.
  static let minimumTilesPerPiece = 4

  /// Whole problems when there are enough of them for every worker to get several; otherwise each problem
  /// is cut along its longer dimension (in tiles) into pieces (`columnPiecesPerWorker` or
  /// `rowPiecesPerWorker` per worker, at least `minimumTilesPerPiece` tiles each). Cuts fall on multiples of
  /// the tile: `rowGranule` rows (prepacked panels start there) and `columnGranule` columns; the GEMM
  /// microkernel's `MR × NR` by default.
  static func tasks(
    problems: Int, m: Int, n: Int, workers: Int, rowGranule: Int = GemmDriver.kernel.mr,
    columnGranule: Int = GemmDriver.kernel.nr
  ) -> [GemmTask] {
    let rowTiles = (m + rowGranule - 1) / rowGranule
    let columnTiles = (n + columnGranule - 1) / columnGranule
    let splitsColumns = columnTiles >= rowTiles
    let pieces = piecesPerProblem(
      problems: problems, workers: workers, tiles: splitsColumns ? columnTiles : rowTiles,
      piecesPerWorker: splitsColumns ? columnPiecesPerWorker : rowPiecesPerWorker)
    var tasks: [GemmTask] = []
    tasks.reserveCapacity(problems * pieces)
    for problem in 0..<problems {
      if pieces == 1 {
        tasks.append(GemmTask(problem: problem, rows: 0..<m, columns: 0..<n))
      } else if splitsColumns {
        for range in RunContext.ranges(of: n, parts: pieces, granule: columnGranule) {
          tasks.append(GemmTask(problem: problem, rows: 0..<m, columns: range))
        }
      } else {
        for range in RunContext.ranges(of: m, parts: pieces, granule: rowGranule) {
          tasks.append(GemmTask(problem: problem, rows: range, columns: 0..<n))
        }
      }
    }
    return tasks
  }

  /// How many pieces to cut each problem into: 1 on one worker or when whole problems already give every
  /// worker `piecesPerWorker`; else enough for that many per worker, but never below one piece per worker
  /// nor pieces under `minimumTilesPerPiece` tiles unless one per worker needs it. Then moved to a count
  /// whose tasks the workers share evenly (`evenlyShared`).
  static func piecesPerProblem(problems: Int, workers: Int, tiles: Int, piecesPerWorker: Int) -> Int {
    guard workers > 1, problems < workers * piecesPerWorker else { return 1 }
    let wanted = (workers * piecesPerWorker + problems - 1) / problems
    let fewest = (workers + problems - 1) / problems
    let affordable = max(1, tiles / minimumTilesPerPiece)
    let pieces = max(fewest, min(wanted, affordable))
    return evenlyShared(pieces, problems: problems, workers: workers, fewest: fewest, most: max(pieces, affordable))
  }

  /// The piece count nearest above `pieces` (up to `most`), else below it (down to `fewest`), that makes the
  /// region's tasks (`problems` × pieces, of about equal cost) a multiple of `workers`; `pieces` if there is
  /// none. With an odd count the last task runs while the other worker idles: MobileNetV2's 960→320 1x1 at
  /// 7x7 (20 column tiles) went to two workers as five pieces of four tiles, three of them on one worker, and
  /// scaled 1.7x where onnxruntime's node scaled 2.0x.
  static func evenlyShared(_ pieces: Int, problems: Int, workers: Int, fewest: Int, most: Int) -> Int {
    let isEven = { (count: Int) in (problems * count) % workers == 0 }
    if let above = (pieces...min(most, pieces + workers - 1)).first(where: isEven) { return above }
    return stride(from: pieces - 1, through: max(1, fewest), by: -1).first(where: isEven) ?? pieces
  }
}
