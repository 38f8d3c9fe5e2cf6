/// What an operator sees while it runs: where every buffer is for this run, scratch memory per worker, and
/// the workers to split its work over.
struct RunContext {
  /// The address of every plan buffer for this run (arena, constant section, or a caller's memory bound in
  /// place).
  let addresses: UnsafeBufferPointer<UnsafeMutableRawPointer>
  let scratch: UnsafeMutableRawPointer
  /// Bytes of scratch per worker (a multiple of 64).
  let scratchStride: Int
  /// Scratch for the running operator as a whole (`Operator.sharedScratchBytes`), 64-byte aligned.
  let sharedScratch: UnsafeMutableRawPointer
  let threads: Int
  let pool: WorkerPool?

  /// Work (in multiply–adds or element operations) below which an operator uses one thread: splitting a
  /// small problem costs more than it saves (perf-notes.md: two threads were slower than one on a 64³ GEMM).
  static let parallelWorkThreshold = 1 << 18

  /// The work one element counts for in `workers(elements:tasks:)`: an operator that streams memory (a copy,
  /// an elementwise or row-wise operator) spends 0.3-1.5 ns on an element, as long as 30-100 multiply–adds
  /// of a GEMM near peak. Counting it as one kept every elementwise step of a transformer (ViT-tiny: 37,824
  /// to 116,427 elements, 30-160 µs each) on one thread; with this weight a step of 8,192 elements or more
  /// (a few microseconds) is split.
  static let streamingElementWork = 32

  /// Pieces per worker a streaming job is cut into. Workers claim pieces as they come free
  /// (`parallelFor`), so with several per worker a helper that starts late (descheduled on a busy machine)
  /// takes fewer pieces instead of holding the caller up for a whole half; a piece costs one atomic add.
  static let streamingPiecesPerWorker = 4

  /// How many pieces a streaming job on `workers` workers is cut into (one on one worker).
  static func streamingPieces(workers: Int) -> Int {
    workers > 1 ? workers * streamingPiecesPerWorker : 1
  }

  func raw(_ buffer: PlanBuffer) -> UnsafeMutableRawPointer {
    addresses[buffer.index]
  }

  func floats(_ buffer: PlanBuffer) -> UnsafeMutablePointer<Float> {
    addresses[buffer.index].bindMemory(to: Float.self, capacity: buffer.count)
  }

  /// This worker's scratch block as floats (`scratchStride / 4` of them).
  func scratchFloats(worker: Int) -> UnsafeMutablePointer<Float> {
    (scratch + worker * scratchStride).bindMemory(to: Float.self, capacity: scratchStride / 4)
  }

  /// The product of `factors`, saturating at `Int.max`: an estimate of work for `workers(work:tasks:)`.
  static func work(_ factors: Int...) -> Int {
    var result = 1
    for factor in factors {
      let (product, overflow) = result.multipliedReportingOverflow(by: factor)
      if overflow { return Int.max }
      result = product
    }
    return result
  }

  /// How many workers a job of `work` units and `tasks` independent pieces should use.
  func workers(work: Int, tasks: Int) -> Int {
    guard work >= RunContext.parallelWorkThreshold else { return 1 }
    return max(1, min(threads, tasks))
  }

  /// How many workers a streaming job over `elements` elements (see `streamingElementWork`) in `tasks`
  /// independent pieces should use.
  func workers(elements: Int, tasks: Int) -> Int {
    workers(work: RunContext.work(elements, RunContext.streamingElementWork), tasks: tasks)
  }

  /// Runs `body(task, worker)` for every task in `0..<tasks` on up to `workers` workers, each claiming the
  /// next task when it is free (`WorkerPool.forEach`). A task's result must not depend on which worker ran it.
  func parallelFor(tasks: Int, workers: Int, _ body: (_ task: Int, _ worker: Int) -> Void) {
    let count = max(1, min(workers, tasks))
    guard count > 1, let pool else {
      for task in 0..<tasks { body(task, 0) }
      return
    }
    pool.forEach(tasks: tasks, workers: count, body)
  }

  /// The context for work that one task of a region runs by itself: one thread and no pool (a region cannot
  /// open another), worker `worker`'s scratch as its only worker's, and `sharedScratch` as the operator's.
  func alone(worker: Int, sharedScratch: UnsafeMutableRawPointer) -> RunContext {
    RunContext(
      addresses: addresses, scratch: scratch + worker * scratchStride, scratchStride: scratchStride,
      sharedScratch: sharedScratch, threads: 1, pool: nil)
  }

  /// Splits `0..<count` into `parts` contiguous ranges whose bounds are multiples of `granule` (except the
  /// end), for elementwise work: a boundary on a vector multiple keeps every element on the same code path.
  static func ranges(of count: Int, parts: Int, granule: Int) -> [Range<Int>] {
    let units = (count + granule - 1) / granule
    let partCount = max(1, min(parts, units))
    var result: [Range<Int>] = []
    for part in 0..<partCount {
      let start = min(count, units * part / partCount * granule)
      let end = min(count, units * (part + 1) / partCount * granule)
      if start < end { result.append(start..<end) }
    }
    return result
  }
}
