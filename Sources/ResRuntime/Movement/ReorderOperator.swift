import ResKernels
import ResPlan

/// `f32_reorder`: copies an activation between the row-major and the channels-last layout. Per image it is a
/// 2-D transpose (`[C][P]` ↔ `[P][C]`, P the spatial positions), moved in 8 × 8 tiles by
/// `TransposeMicrokernel8x8`, cut into tasks as `TransposeTiling` says. The code generator puts one where
/// a chain of channels-last steps meets a step, graph input or output that is row-major.
struct ReorderOperator: Operator {
  let x: PlanBuffer
  let y: PlanBuffer
  /// Per image: the source's rows and columns (C and P from row-major, P and C from channels-last).
  let rows: Int
  let columns: Int
  let images: Int

  var readsChannelsLast: Bool { true }

  init(_: Rescompile_Plan_ReorderParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 1...1, outputs: 1...1)
    x = try operands.input(0, "X", .f32)
    y = try operands.output(0, "Y", .f32)
    try operands.requireShape(y, "Y", x.shape)
    guard x.isChannelsLast != y.isChannelsLast else {
      throw operands.failure("X (\(x.label)) and Y (\(y.label)) have the same layout; a reorder changes it")
    }
    images = x.shape[0]
    let channels = x.shape[1]
    let positions = x.shape.count > 2 ? x.shape[2...].reduce(1, *) : 1
    (rows, columns) = x.isChannelsLast ? (positions, channels) : (channels, positions)
  }

  func run(_ context: RunContext) {
    let source = UnsafeRawPointer(context.raw(x))
    let destination = context.raw(y)
    let tiling = TransposeTiling(rows: rows, columns: columns)
    let imageBytes = rows * columns * 4
    let tasks = images * tiling.tasks
    let workers = context.workers(elements: x.count, tasks: tasks)
    context.parallelFor(tasks: tasks, workers: workers) { task, _ in
      let image = task / tiling.tasks
      let part = tiling.ranges(ofTask: task % tiling.tasks)
      tiling.transpose(
        source + image * imageBytes, destination + image * imageBytes, rows: part.rows, columns: part.columns)
    }
  }
}
