import ResPlan

/// `top_k`: along one axis of X (f32, f64, i64 or i32), the k largest or smallest elements, best first, and
/// their i64 positions; equal elements keep position order and a NaN ranks above every number (plan.proto
/// `TopKParams`, the reference evaluator's `TopK`, onnxruntime's order).
///
/// k is the outputs' length along the axis. Lines are split over workers; each ranks its line in a scratch
/// block of k positions (`TopKLine`), so running allocates nothing.
struct TopKOperator: Operator {
  let x: PlanBuffer
  let values: PlanBuffer
  let indices: PlanBuffer
  let largest: Bool
  let k: Int
  /// Elements before the axis, along it, and after it.
  let outer: Int
  let axisSize: Int
  let inner: Int
  let scratchBytesPerWorker: Int

  static let orderedTypes: Set<ElementType> = [.f32, .f64, .i64, .i32]

  init(_ params: Rescompile_Plan_TopKParams, _ operands: StepOperands) throws(RuntimeError) {
    try operands.requireCounts(inputs: 1...1, outputs: 2...2)
    x = try operands.input(0, "X", Self.orderedTypes)
    values = operands.outputs[0]
    try operands.requireSameType(values, "Values", as: x)
    indices = try operands.output(1, "Indices", .i64)
    guard params.axis >= 0, params.axis < Int64(x.rank) else {
      throw operands.failure("axis \(params.axis) is out of range for X \(ShapeText.of(x.shape))")
    }
    let axis = Int(params.axis)
    try operands.requireRank(values, "Values", x.rank...x.rank)
    k = values.shape[axis]
    guard k <= x.shape[axis] else {
      throw operands.failure("k \(k) (Values' length along axis \(axis)) is larger than X \(ShapeText.of(x.shape))")
    }
    var shape = x.shape
    shape[axis] = k
    try operands.requireShape(values, "Values", shape)
    try operands.requireShape(indices, "Indices", shape)
    largest = params.largest
    outer = x.shape[..<axis].reduce(1, *)
    axisSize = x.shape[axis]
    inner = x.shape[(axis + 1)...].reduce(1, *)
    scratchBytesPerWorker = try CheckedMath.multiply(k, MemoryLayout<Int>.stride, "\(operands.site): k positions")
  }

  func run(_ context: RunContext) {
    switch x.elementType {
    case .f32: select(Float.self, context)
    case .f64: select(Double.self, context)
    case .i64: select(Int64.self, context)
    case .i32: select(Int32.self, context)
    case .f16, .i8, .u8, .bool: preconditionFailure("init admits only \(Self.orderedTypes)")
    }
  }

  private func select<T: TopKElement>(_: T.Type, _ context: RunContext) {
    guard k > 0 else { return }
    let source = UnsafeRawPointer(context.raw(x)).assumingMemoryBound(to: T.self)
    let target = context.raw(values).assumingMemoryBound(to: T.self)
    let positions = context.raw(indices).assumingMemoryBound(to: Int64.self)
    let lines = outer * inner
    let workers = context.workers(elements: x.count, tasks: lines)
    let ranges = RunContext.ranges(of: lines, parts: workers, granule: 1)
    context.parallelFor(tasks: ranges.count, workers: workers) { task, worker in
      let scratch = (context.scratch + worker * context.scratchStride).bindMemory(to: Int.self, capacity: k)
      let best = UnsafeMutableBufferPointer(start: scratch, count: k)
      for line in ranges[task] {
        let (block, lane) = line.quotientAndRemainder(dividingBy: inner)
        let start = source + block * axisSize * inner + lane
        TopKLine(start: start, stride: inner, count: axisSize, largest: largest).select(into: best)
        let first = block * k * inner + lane
        for rank in 0..<k {
          target[first + rank * inner] = start[best[rank] * inner]
          positions[first + rank * inner] = Int64(best[rank])
        }
      }
    }
  }
}
