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
  /// Whole problems when there are enough of them for every worker; otherwise each problem is cut along its
  /// longer dimension (in tiles) into enough pieces. Cuts fall on multiples of the tile: `rowGranule` rows
  /// (prepacked panels start there) and `columnGranule` columns; the GEMM microkernel's `MR × NR` by default.
  static func tasks(
    problems: Int, m: Int, n: Int, workers: Int, rowGranule: Int = GemmDriver.kernel.mr,
    columnGranule: Int = GemmDriver.kernel.nr
  ) -> [GemmTask] {
    let piecesPerProblem = workers <= 1 || problems >= workers ? 1 : (workers + problems - 1) / problems
    let rowTiles = (m + rowGranule - 1) / rowGranule
    let columnTiles = (n + columnGranule - 1) / columnGranule
    var tasks: [GemmTask] = []
    tasks.reserveCapacity(problems * piecesPerProblem)
    for problem in 0..<problems {
      if piecesPerProblem == 1 {
        tasks.append(GemmTask(problem: problem, rows: 0..<m, columns: 0..<n))
      } else if columnTiles >= rowTiles {
        for range in RunContext.ranges(of: n, parts: piecesPerProblem, granule: columnGranule) {
          tasks.append(GemmTask(problem: problem, rows: 0..<m, columns: range))
        }
      } else {
        for range in RunContext.ranges(of: m, parts: piecesPerProblem, granule: rowGranule) {
          tasks.append(GemmTask(problem: problem, rows: range, columns: 0..<n))
        }
      }
    }
    return tasks
  }
}
