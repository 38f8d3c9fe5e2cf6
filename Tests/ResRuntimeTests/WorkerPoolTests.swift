import Synchronization
import Testing

@testable import ResRuntime

/// The worker pool: every region runs each task exactly once, back to back or after the helpers fell asleep,
/// and a pool can be shut down while its helpers spin or sleep.
@Suite struct WorkerPoolTests {
  /// Sums `count` regions of `tasks` tasks each, every task adding its number once, and the workers seen.
  private static func runRegions(
    _ pool: WorkerPool, count: Int, tasks: Int, workers: Int
  ) -> (sum: Int, workersSeen: Set<Int>) {
    let sum = Atomic<Int>(0)
    let seen = Mutex<Set<Int>>([])
    for _ in 0..<count {
      pool.forEach(tasks: tasks, workers: workers) { task, worker in
        sum.add(task + 1, ordering: .relaxed)
        seen.withLock { _ = $0.insert(worker) }
      }
    }
    return (sum.load(ordering: .relaxed), seen.withLock { $0 })
  }

  @Test func manyRegionsRunEveryTaskOnce() {
    let pool = WorkerPool(helpers: 1)
    defer { pool.shutDown() }
    let (sum, workers) = Self.runRegions(pool, count: 2000, tasks: 7, workers: 2)
    #expect(sum == 2000 * (7 * 8 / 2))
    #expect(workers.isSubset(of: [0, 1]))
  }

  @Test func moreHelpersThanWorkersRequested() {
    let pool = WorkerPool(helpers: 3)
    defer { pool.shutDown() }
    for workers in [1, 2, 3, 4, 2, 1, 4] {
      let (sum, seen) = Self.runRegions(pool, count: 50, tasks: 9, workers: workers)
      #expect(sum == 50 * 45)
      #expect(seen.allSatisfy { $0 < workers })
    }
  }

  /// With no spinning nor yielding the helpers sleep after every region; each region must still wake them.
  @Test func regionsAfterTheHelpersSleep() {
    let pool = WorkerPool(helpers: 2, spinNanoseconds: 0, yieldNanoseconds: 0)
    defer { pool.shutDown() }
    let (sum, _) = Self.runRegions(pool, count: 300, tasks: 3, workers: 3)
    #expect(sum == 300 * 6)
  }

  /// Regions that start while the helpers are past their pause budget but still yielding (the gap between
  /// regions is longer than the 1 µs pause budget and shorter than the 50 ms yield budget).
  @Test func regionsWhileTheHelpersYield() {
    let pool = WorkerPool(helpers: 2, spinNanoseconds: 1_000, yieldNanoseconds: 50_000_000)
    defer { pool.shutDown() }
    var sum = 0
    for _ in 0..<50 {
      let start = ContinuousClock.now
      while ContinuousClock.now - start < .microseconds(100) {}
      sum += Self.runRegions(pool, count: 1, tasks: 5, workers: 3).sum
    }
    #expect(sum == 50 * 15)
  }

  /// Every worker of a region runs `run`'s body once, whatever the helpers' timing.
  @Test func everyWorkerRunsTheBodyOnce() {
    let pool = WorkerPool(helpers: 1, spinNanoseconds: 1000)
    defer { pool.shutDown() }
    for _ in 0..<500 {
      let calls = Atomic<Int>(0)
      pool.run(workers: 2) { worker in calls.add(1 << (8 * worker), ordering: .relaxed) }
      #expect(calls.load(ordering: .relaxed) == 1 + (1 << 8))
    }
  }

  /// `forEach` regions close without waiting for a helper that has not started them; a helper that comes
  /// late must then neither run a closed region's tasks nor take the next region's place twice. Regions of
  /// both kinds alternate with helpers that sleep after every region (so they are often late) or spin
  /// briefly.
  @Test func lateHelpersNeitherRunClosedRegionsNorConfuseTheNext() {
    for spin: UInt64 in [0, 2_000] {
      let pool = WorkerPool(helpers: 2, spinNanoseconds: spin)
      defer { pool.shutDown() }
      for round in 0..<400 {
        let tasks = 1 + round % 5
        let counts = Mutex<[Int]>(Array(repeating: 0, count: tasks))
        pool.forEach(tasks: tasks, workers: 3) { task, _ in counts.withLock { $0[task] += 1 } }
        #expect(counts.withLock { $0 } == Array(repeating: 1, count: tasks), "round \(round)")
        let calls = Atomic<Int>(0)
        pool.run(workers: 3) { worker in calls.add(1 << (8 * worker), ordering: .relaxed) }
        #expect(calls.load(ordering: .relaxed) == 1 + (1 << 8) + (1 << 16), "round \(round)")
      }
    }
  }

  @Test func shutDownWhileIdle() async throws {
    for (spin, yield): (UInt64, UInt64) in [(0, 0), (50_000_000, 0), (0, 50_000_000)] {
      let pool = WorkerPool(helpers: 2, spinNanoseconds: spin, yieldNanoseconds: yield)
      _ = Self.runRegions(pool, count: 3, tasks: 4, workers: 3)
      try await Task.sleep(for: .milliseconds(5))
      pool.shutDown()
      for _ in 0..<200 where pool.runningHelpers > 0 { try await Task.sleep(for: .milliseconds(5)) }
      #expect(pool.runningHelpers == 0)
    }
  }
}
