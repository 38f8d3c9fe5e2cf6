import Synchronization
import Testing

@testable import ResRuntime

/// `TaskBlocks`: every task claimed exactly once whoever shows up, a worker's own block first, and the
/// caller alone finishing the blocks of workers that never come.
@Suite struct TaskBlocksTests {
  /// Worker 0 alone (its helper never arrived) claims its own block in order, then the helper's.
  @Test func aLoneWorkerClaimsItsBlockThenTheOthers() {
    let blocks = TaskBlocks(workers: 3)
    blocks.reset(tasks: 10, workers: 3)
    var order: [Int] = []
    blocks.claim(worker: 1, workers: 3) { order.append($0) }
    #expect(order == [3, 4, 5, 6, 7, 8, 9, 0, 1, 2])
  }

  /// Each worker starts in its own contiguous block: worker w's first task is the start of block w.
  @Test func blocksAreContiguousAndEven() {
    let blocks = TaskBlocks(workers: 4)
    for tasks in [1, 2, 3, 7, 8, 33] {
      for workers in 1...4 {
        blocks.reset(tasks: tasks, workers: workers)
        var claimed: [Int] = []
        for worker in 0..<workers {
          var first: Int?
          blocks.claim(worker: worker, workers: workers) { task in
            if first == nil { first = task }
            claimed.append(task)
          }
          if let first { #expect(first == worker * tasks / workers) }
        }
        #expect(claimed.sorted() == Array(0..<tasks), "tasks \(tasks), workers \(workers)")
      }
    }
  }

  /// Two threads claiming at once from a fresh cut, many times: no task lost, none run twice.
  @Test func concurrentClaimsTakeEveryTaskOnce() {
    let pool = WorkerPool(helpers: 1)
    defer { pool.shutDown() }
    for tasks in [1, 2, 5, 64] {
      let counts = Mutex<[Int]>(Array(repeating: 0, count: tasks))
      for _ in 0..<500 {
        pool.forEach(tasks: tasks, workers: 2) { task, _ in counts.withLock { $0[task] += 1 } }
      }
      #expect(counts.withLock { $0 } == Array(repeating: 500, count: tasks))
    }
  }
}
