import Synchronization

/// How the workers of a `WorkerPool.forEach` region claim its tasks: worker `w` owns the `w`-th contiguous
/// block of the task range and claims from it first, front to back, then takes what is left of the other
/// blocks in turn.
///
/// Why blocks and not one shared counter: consecutive steps of a plan split their work the same way (output
/// rows, positions), so with blocks the worker that wrote a stretch of an activation is the one that reads it
/// in the next step, from its own core's L2. With one counter, which worker took which piece was decided by
/// a race, and on two cores about half of each step's input came from the other core's cache. Stealing keeps
/// what the shared counter gave: a worker that starts late (descheduled on a busy machine) takes fewer tasks
/// instead of holding the others up, and the caller finishes every task alone if a helper never comes.
final class TaskBlocks: @unchecked Sendable {
  /// One worker's block. A class per block keeps every counter on its own cache line.
  private final class Block {
    let next = Atomic<Int>(0)
    /// Written by the caller before it publishes a region, read by workers after they see it.
    var end = 0
    /// Fills the rest of the cache line, so that two workers' counters never share one.
    private let padding: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)
  }

  private let blocks: [Block]

  /// Room for `workers` workers (the pool's helpers and its caller).
  init(workers: Int) {
    blocks = (0..<max(1, workers)).map { _ in Block() }
  }

  /// Cuts `0..<tasks` into `workers` contiguous blocks, as even as they come. Called by the caller alone,
  /// before the region is published (the publishing store orders these writes before any worker's claims).
  func reset(tasks: Int, workers: Int) {
    for worker in 0..<workers {
      blocks[worker].next.store(worker * tasks / workers, ordering: .relaxed)
      blocks[worker].end = (worker + 1) * tasks / workers
    }
  }

  /// Runs `body` on tasks claimed by `worker` (of `workers`): its own block first, then the others' leftovers,
  /// until no task is left anywhere. Each task is claimed exactly once across all workers.
  @inline(__always)
  func claim(worker: Int, workers: Int, _ body: (Int) -> Void) {
    for offset in 0..<workers {
      let block = blocks[(worker + offset) % workers]
      let end = block.end
      while true {
        let task = block.next.wrappingAdd(1, ordering: .relaxed).oldValue
        guard task < end else { break }
        body(task)
      }
    }
  }
}
