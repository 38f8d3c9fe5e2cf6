import Foundation

/// A small fixed set of helper threads that run one parallel region at a time for one `Runner`.
///
/// The caller's thread is worker 0 and the helpers are workers 1...; a region runs `body(worker)` on the
/// first `workers` of them and returns when all are done. Regions are short (one operator), so the helpers
/// wait on a condition variable between them rather than being created per region.
final class WorkerPool: @unchecked Sendable {
  /// Threads besides the caller's.
  let helperCount: Int

  private let condition = NSCondition()
  // Guarded by `condition`.
  private var job: ((Int) -> Void)?
  private var activeWorkers = 0
  private var unfinished = 0
  private var generation = 0
  private var stopping = false

  init(helpers: Int) {
    helperCount = helpers
    for helper in stride(from: 1, through: helpers, by: 1) {
      let thread = Thread { [self] in self.serve(as: helper) }
      thread.name = "rescompile-worker-\(helper)"
      thread.start()
    }
  }

  /// Runs `body(w)` for `w` in `0..<workers` concurrently (`workers ≤ helperCount + 1`), `body(0)` on the
  /// calling thread, and returns when every call has returned.
  func run(workers: Int, _ body: (Int) -> Void) {
    let count = min(workers, helperCount + 1)
    guard count > 1 else {
      body(0)
      return
    }
    withoutActuallyEscaping(body) { escapable in
      condition.lock()
      job = escapable
      activeWorkers = count
      unfinished = count - 1
      generation &+= 1
      condition.broadcast()
      condition.unlock()

      escapable(0)

      condition.lock()
      while unfinished > 0 { condition.wait() }
      job = nil
      condition.unlock()
    }
  }

  /// Lets the helper threads exit once they finish waiting (the owning runner is going away).
  func shutDown() {
    condition.lock()
    stopping = true
    condition.broadcast()
    condition.unlock()
  }

  /// Runs the current region's body. The body is only referenced inside this call, so this thread holds
  /// no reference to it once it reports completion (`run` checks that the non-escaping body did not escape).
  private func perform(as worker: Int) {
    condition.lock()
    let work = job
    condition.unlock()
    work?(worker)
  }

  private func serve(as worker: Int) {
    var seenGeneration = 0
    while true {
      condition.lock()
      while generation == seenGeneration && !stopping { condition.wait() }
      if stopping {
        condition.unlock()
        return
      }
      seenGeneration = generation
      let participates = worker < activeWorkers
      condition.unlock()

      guard participates else { continue }
      perform(as: worker)
      condition.lock()
      unfinished -= 1
      if unfinished == 0 { condition.broadcast() }
      condition.unlock()
    }
  }
}
