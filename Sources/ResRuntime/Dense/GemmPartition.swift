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
  /// longer dimension (in tiles) into enough pieces. Row cuts fall on multiples of `MR` (prepacked panels).
  static func tasks(problems: Int, m: Int, n: Int, workers: Int) -> [GemmTask] {
    let piecesPerProblem = workers <= 1 || problems >= workers ? 1 : (workers + problems - 1) / problems
    let mr = GemmDriver.kernel.mr
    let nr = GemmDriver.kernel.nr
    let rowTiles = (m + mr - 1) / mr
    let columnTiles = (n + nr - 1) / nr
    var tasks: [GemmTask] = []
    tasks.reserveCapacity(problems * piecesPerProblem)
    for problem in 0..<problems {
      if piecesPerProblem == 1 {
        tasks.append(GemmTask(problem: problem, rows: 0..<m, columns: 0..<n))
      } else if columnTiles >= rowTiles {
        for range in RunContext.ranges(of: n, parts: piecesPerProblem, granule: nr) {
          tasks.append(GemmTask(problem: problem, rows: 0..<m, columns: range))
        }
      } else {
        for range in RunContext.ranges(of: m, parts: piecesPerProblem, granule: mr) {
          tasks.append(GemmTask(problem: problem, rows: range, columns: 0..<n))
        }
      }
    }
    return tasks
  }
}
