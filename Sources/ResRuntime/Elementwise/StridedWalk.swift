/// How to walk an index space row by row while up to four strided operands follow along: the axes are
/// coalesced where every operand steps across them as across one, the last coalesced axis becomes the row,
/// and each operand has one stride within a row.
///
/// Offsets travel as a `SIMD4<Int>` (one lane per operand) so that stepping to the next row is one vector
/// add, with no allocation per row. Elementwise operators put their inputs in lanes 0–2 and the contiguous
/// output in lane 3 (`init(broadcastingTo:operandStrides:)`); Copy uses lane 0 for its source and lane 3 for
/// its destination.
struct StridedWalk: Sendable {
  /// The axes outside the row, and each lane's stride along them.
  let outerShape: [Int]
  let outerStrides: [SIMD4<Int>]
  /// Elements per row, and each lane's stride within a row.
  let rowLength: Int
  let rowStrides: SIMD4<Int>
  let rowCount: Int

  /// Walks `shape` with the given per-axis lane strides. Axes of size 1 are dropped.
  init(shape: [Int], axisStrides: [SIMD4<Int>]) {
    if shape.contains(0) {
      // Nothing to walk (and the other sizes may be anything: their product need not fit in an Int).
      (outerShape, outerStrides, rowLength, rowStrides, rowCount) = ([], [], 0, SIMD4<Int>(), 0)
      return
    }
    var merged: [Int] = []
    var strides: [SIMD4<Int>] = []
    for axis in shape.indices where shape[axis] != 1 {
      let lanes = axisStrides[axis]
      if let last = strides.last, let size = merged.last, last == lanes &* shape[axis] {
        // The previous axis steps exactly over this one in every lane: merge them.
        merged[merged.count - 1] = size * shape[axis]
        strides[strides.count - 1] = lanes
      } else {
        merged.append(shape[axis])
        strides.append(lanes)
      }
    }
    if let length = merged.popLast(), let inner = strides.popLast() {
      rowLength = length
      rowStrides = inner
    } else {
      rowLength = 1
      rowStrides = SIMD4<Int>()
    }
    outerShape = merged
    outerStrides = strides
    rowCount = merged.reduce(1, *)
  }

  /// An elementwise walk: operands (up to three, lanes 0–2) read through broadcast strides, output
  /// contiguous in lane 3.
  init(broadcastingTo output: [Int], operandStrides: [[Int]]) {
    let outputStrides = Broadcast.contiguousStrides(output)
    let axisStrides = output.indices.map { axis in
      var lanes = SIMD4<Int>(0, 0, 0, outputStrides[axis])
      for (operand, strides) in operandStrides.enumerated() { lanes[operand] = strides[axis] }
      return lanes
    }
    self.init(shape: output, axisStrides: axisStrides)
  }

  /// Calls `body(offsets)` with the element offsets of each row in `rows` (lane 3: the output's).
  func forEachRow(in rows: Range<Int>, _ body: (SIMD4<Int>) -> Void) {
    guard !rows.isEmpty else { return }
    var index = [Int](repeating: 0, count: outerShape.count)
    var offsets = SIMD4<Int>()
    var remainder = rows.lowerBound
    for axis in stride(from: outerShape.count - 1, through: 0, by: -1) {
      index[axis] = remainder % outerShape[axis]
      remainder /= outerShape[axis]
      offsets &+= outerStrides[axis] &* index[axis]
    }
    for _ in rows {
      body(offsets)
      var axis = outerShape.count - 1
      while axis >= 0 {
        index[axis] += 1
        offsets &+= outerStrides[axis]
        if index[axis] < outerShape[axis] { break }
        offsets &-= outerStrides[axis] &* outerShape[axis]
        index[axis] = 0
        axis -= 1
      }
    }
  }

  /// Pieces of work for `workers` (`RunContext.streamingPieces`): row ranges when there are enough rows,
  /// otherwise rows cut into column ranges on multiples of 16 (the vector width, so each element keeps its
  /// code path).
  func tasks(workers: Int) -> [(rows: Range<Int>, columns: Range<Int>)] {
    if workers <= 1 { return [(0..<rowCount, 0..<rowLength)] }
    let pieces = RunContext.streamingPieces(workers: workers)
    if rowCount >= pieces {
      return RunContext.ranges(of: rowCount, parts: pieces, granule: 1).map { ($0, 0..<rowLength) }
    }
    let parts = (pieces + rowCount - 1) / rowCount
    var tasks: [(rows: Range<Int>, columns: Range<Int>)] = []
    for row in 0..<rowCount {
      for columns in RunContext.ranges(of: rowLength, parts: parts, granule: 16) {
        tasks.append((row..<(row + 1), columns))
      }
    }
    return tasks
  }

  /// Runs `body(offsets, columns)` over every row piece, split over the context's workers when the walk's
  /// `elements` are many (`RunContext.workers(elements:tasks:)`). `offsets` are at the row's first element;
  /// `columns` is the part of the row to compute.
  func run(_ context: RunContext, elements: Int, _ body: (SIMD4<Int>, Range<Int>) -> Void) {
    let workers = context.workers(elements: elements, tasks: rowCount * max(1, rowLength / 16))
    let tasks = tasks(workers: workers)
    context.parallelFor(tasks: tasks.count, workers: workers) { index, _ in
      let task = tasks[index]
      forEachRow(in: task.rows) { offsets in body(offsets, task.columns) }
    }
  }
}
