import Dispatch
import Foundation
import ResCPU
import Synchronization

/// A small fixed set of helper threads that run one parallel region at a time for one `Runner`.
///
/// The caller's thread is worker 0 and the helpers are workers 1...; a region runs `body(worker)` on the
/// first `workers` of them and returns when all are done. A run has one region per parallel step (60-200 per
/// ResNet or MobileNet inference, many of them tens of microseconds long), so waking a sleeping thread for
/// each (a futex wake and a reschedule, tens of microseconds on a busy machine) cost as much as a small
/// step saves. So, like onnxruntime's and OpenVINO's pools, a helper busy-waits on an atomic region counter
/// after each region (see `spin`) and only then sleeps on a condition variable; the caller likewise
/// busy-waits for the helpers to finish before it sleeps. A helper's wait has two phases: up to
/// `spinNanoseconds` of `pause` loops, then up to `yieldNanoseconds` of `sched_yield` loops, which give the
/// core to any other runnable thread (the caller itself, when both share one core) and return at once on an
/// idle core. The caller never yields: on a loaded machine a yield sends it behind every other runnable
/// process, and the whole run waits a scheduling round per step (ViT-tiny at 2 threads went from 50 to
/// 110-140 ms at a load average of 12).
///
/// A `forEach` region does not wait for a helper that has not started it by the time the caller has run out
/// of tasks (see `entry`): on a busy machine a helper can be off its core for a scheduler time slice, and
/// waiting for it to check in only to find no task left cost more than the split saved.
///
/// No two of the pool's threads should share a CPU while another is free: both busy-wait, so a pair on one
/// CPU runs at a fraction of one thread's speed (the helper, off its CPU, misses the regions and the caller
/// does all their work) until the kernel's load balancing parts them, after about 10 ms. It happens at two
/// moments. A helper woken from its sleep lands near its waker (a caller that had itself just been woken, a
/// server reading its next request), so it checks the caller's CPU and moves off it (`leaveCallerCPU`). And
/// a few regions later the balancer was seen moving the caller onto the helper's CPU (MobileNetV2 on two
/// threads after an idle gap of 200 ms: the helper entered 1 to 5 of 53 regions in each of the next two or
/// three runs, 4.4 ms a run against 2.0). So every helper reports the CPU it runs on (`helperCPUs`) while it
/// waits, and the caller, before it publishes a region, moves itself off any CPU a waiting helper reports
/// (`leaveHelpersCPUs`); a read of the CPU number per region, nothing more, when all is well. Neither moves
/// when the pool has more threads than the CPUs it may run on: sharing is then unavoidable.
///
/// `run` is called by one thread at a time (the runner serializes its runs).
final class WorkerPool: @unchecked Sendable {
  /// Threads besides the caller's.
  let helperCount: Int
  /// How long a thread busy-waits with `pause` for the next region (helpers) or for the helpers to finish
  /// (the caller) before the helper starts yielding or the caller sleeps.
  let spinNanoseconds: UInt64
  /// How long a helper then keeps checking between `sched_yield` calls before it sleeps. A step that runs on one
  /// thread (a softmax, a layer norm) lasts longer than the spin budget, and a helper asleep when the next
  /// parallel step begins starts it tens of microseconds late: with pause-only spinning ViT-tiny's helper
  /// slept and was woken for nearly every one of its 100 GEMM regions (545 futex calls a run).
  let yieldNanoseconds: UInt64

  /// The current region: its sequence number times `WorkerPool.regionStride` plus its worker count, in one
  /// word so that a helper that reads it sees the worker count of that very region.
  private let region = Atomic<Int>(0)
  /// Helpers of the current region that have not yet finished their part.
  private let unfinished = Atomic<Int>(0)
  /// Helpers asleep (or about to sleep) on `condition`: the caller signals it only when this is not zero.
  private let sleepingHelpers = Atomic<Int>(0)
  /// Whether the caller sleeps on `condition` waiting for `unfinished` to reach zero.
  private let callerSleeping = Atomic<Bool>(false)
  private let stopping = Atomic<Bool>(false)
  /// The CPU the caller ran on when it last woke sleeping helpers (-1: unknown).
  private let callerCPU = Atomic<Int>(-1)
  /// The CPU each helper last ran on while waiting for or running a region, at `helper - 1`; -1 while it
  /// sleeps, and before it first reports.
  private let helperCPUs: UnsafeMutablePointer<Atomic<Int>>
  /// Whether the threads may each have a CPU of their own (the process may run on at least as many CPUs as
  /// the pool has threads, on a system that says which CPU a thread runs on): only then do they move apart.
  private let placesThreads: Bool
  /// The tasks of the current `forEach` region, a block per worker (see `TaskBlocks`).
  private let taskBlocks: TaskBlocks
  /// Admission to the current region: its sequence number (low 31 bits) times `entrySequenceUnit`, plus
  /// `entryClosed` once the caller has closed it, plus the helpers that entered. A helper runs the body only
  /// after entering (a compare-and-swap on the region it saw, still open); the caller closes a `forEach`
  /// region when it finds no task left and then waits only for the helpers that entered.
  private let entry = Atomic<Int>(0)
  /// Helper threads that have not exited.
  private let liveHelpers = Atomic<Int>(0)
  private let condition = NSCondition()
  /// The current region's body: written by the caller before it publishes the region in `region`, read by
  /// the helpers after they see it (the release and acquire of `region` order the two).
  private var job: ((Int) -> Void)?

  /// The least a spin budget shrinks to.
  private static let minimumSpinNanoseconds: UInt64 = 1_000
  /// The caller's current spin budget for `waitForHelpers` (only the thread running a region uses it).
  private var callerSpinBudget: UInt64

  /// `region` holds the worker count below this multiple (a runner has at most 256 threads).
  private static let regionStride = 1 << 10
  /// `entry`'s closed flag, above the count of helpers that entered; the sequence sits above both.
  private static let entryClosed = 1 << 31
  private static let entrySequenceUnit = 1 << 32

  init(helpers: Int, spinNanoseconds: UInt64 = 50_000, yieldNanoseconds: UInt64 = 2_000_000) {
    helperCount = helpers
    self.spinNanoseconds = spinNanoseconds
    self.yieldNanoseconds = yieldNanoseconds
    callerSpinBudget = spinNanoseconds
    taskBlocks = TaskBlocks(workers: helpers + 1)
    helperCPUs = .allocate(capacity: max(1, helpers))
    for helper in 0..<max(1, helpers) { (helperCPUs + helper).initialize(to: Atomic(-1)) }
    placesThreads = rescpu_current_cpu() >= 0 && Int(rescpu_allowed_cpu_count()) >= helpers + 1
    liveHelpers.store(helpers, ordering: .relaxed)
    for helper in stride(from: 1, through: helpers, by: 1) {
      let thread = Thread { [self] in self.serve(as: helper) }
      thread.name = "rescompile-worker-\(helper)"
      thread.start()
    }
  }

  deinit {
    helperCPUs.deinitialize(count: max(1, helperCount))
    helperCPUs.deallocate()
  }

  /// Runs `body(w)` for `w` in `0..<workers` concurrently (`workers ≤ helperCount + 1`), `body(0)` on the
  /// calling thread, and returns when every call has returned.
  func run(workers: Int, _ body: (Int) -> Void) {
    run(workers: workers, closing: false, body)
  }

  /// `run`; with `closing`, helpers that have not entered the region when the caller's `body(0)` returns
  /// are shut out of it and not waited for (their part must then be done: `forEach`'s caller claims every
  /// task left).
  private func run(workers: Int, closing: Bool, _ body: (Int) -> Void) {
    let count = min(workers, helperCount + 1)
    guard count > 1 else {
      body(0)
      return
    }
    withoutActuallyEscaping(body) { escapable in
      job = escapable
      unfinished.store(count - 1, ordering: .relaxed)
      let sequence = region.load(ordering: .relaxed) / Self.regionStride &+ 1
      entry.store(Self.entryValue(sequence: sequence), ordering: .relaxed)
      if placesThreads { leaveHelpersCPUs(count: count) }
      region.store(sequence &* Self.regionStride + count, ordering: .sequentiallyConsistent)
      if sleepingHelpers.load(ordering: .sequentiallyConsistent) > 0 {
        callerCPU.store(Int(rescpu_current_cpu()), ordering: .relaxed)
        wakeAll()
      }

      escapable(0)

      if closing {
        let entered = entry.bitwiseOr(Self.entryClosed, ordering: .sequentiallyConsistent).oldValue
          & (Self.entryClosed - 1)
        let absent = count - 1 - entered
        if absent > 0 { unfinished.subtract(absent, ordering: .sequentiallyConsistent) }
      }
      waitForHelpers()
      job = nil
    }
  }

  /// `entry`'s value for an open region `sequence` that no helper has entered.
  private static func entryValue(sequence: Int) -> Int {
    (sequence & (entryClosed - 1)) &* entrySequenceUnit
  }

  /// Enters region `sequence` for a helper: false when the caller has closed it (or moved on to a later one).
  private func enter(sequence: Int) -> Bool {
    var current = entry.load(ordering: .acquiring)
    while current / Self.entrySequenceUnit == Self.entryValue(sequence: sequence) / Self.entrySequenceUnit,
      current & Self.entryClosed == 0
    {
      let (exchanged, original) = entry.compareExchange(
        expected: current, desired: current + 1, ordering: .sequentiallyConsistent)
      if exchanged { return true }
      current = original
    }
    return false
  }

  /// Runs `body(task, worker)` for every task in `0..<tasks` on up to `workers` workers. Each worker claims
  /// tasks one at a time from its own contiguous block, then from the others' (`TaskBlocks`), so one that
  /// starts late (a helper that was asleep or descheduled on a busy machine) takes fewer instead of making
  /// the others wait. A task's result must not depend on which worker ran it.
  func forEach(tasks: Int, workers: Int, _ body: (_ task: Int, _ worker: Int) -> Void) {
    let count = min(workers, tasks, helperCount + 1)
    taskBlocks.reset(tasks: tasks, workers: max(1, count))
    run(workers: count, closing: true) { worker in
      taskBlocks.claim(worker: worker, workers: count) { task in body(task, worker) }
    }
  }

  /// Helper threads that have not exited yet (all of them until `shutDown`).
  var runningHelpers: Int { liveHelpers.load(ordering: .acquiring) }

  /// Lets the helper threads exit once they see it (the owning runner is going away; no region is running).
  func shutDown() {
    stopping.store(true, ordering: .sequentiallyConsistent)
    wakeAll()
  }

  private func wakeAll() {
    condition.lock()
    condition.broadcast()
    condition.unlock()
  }

  /// Busy-waits (pausing between checks) until `done()` or `budget` nanoseconds pass, then, for a helper
  /// (the caller is `worker` 0), checks between yields of the core for up to `yieldNanoseconds`; returns `done()`. The pause
  /// budget adapts: it doubles (up to `spinNanoseconds`) when the wait ends in time and halves when it runs
  /// out, because on a busy machine the thread waited for may be queued behind this very one. Measured on
  /// the shared 2-core machine with a fixed budget: a region cost 0.35 µs while both threads had a core but
  /// 108 µs (two budgets of 50 µs) once they shared one, against 10 µs for a pool that always sleeps; a 2 ms
  /// budget of pauses took MobileNetV2 at 2 threads from 20 to 210 ms. Yielding does not have that cost: a
  /// thread that yields runs only when nothing else on its core is runnable. The clock is read every 64
  /// pauses, and then a helper (`worker` > 0) also reports its CPU.
  @inline(__always)
  private func spin(budget: inout UInt64, as worker: Int, until done: () -> Bool) -> Bool {
    let start = DispatchTime.now().uptimeNanoseconds
    var turns = 0
    while !done() {
      turns &+= 1
      if turns & 63 == 0 {
        if worker > 0 { reportCPU(of: worker) }
        if DispatchTime.now().uptimeNanoseconds &- start > budget {
          budget = min(spinNanoseconds, max(WorkerPool.minimumSpinNanoseconds, budget / 2))
          return worker > 0 ? yieldUntil(as: worker, done) : done()
        }
      }
      rescpu_spin_pause()
    }
    budget = min(spinNanoseconds, budget &* 2)
    return true
  }

  /// Checks `done()` between yields of the core until it holds or `yieldNanoseconds` pass; returns `done()`.
  /// Helper `worker` reports its CPU after each yield (the kernel may have moved it).
  @inline(__always)
  private func yieldUntil(as worker: Int, _ done: () -> Bool) -> Bool {
    let start = DispatchTime.now().uptimeNanoseconds
    while !done() {
      if DispatchTime.now().uptimeNanoseconds &- start > yieldNanoseconds { return done() }
      rescpu_yield()
      reportCPU(of: worker)
    }
    return true
  }

  /// Returns when every helper of the current region has finished (its writes are then visible here).
  private func waitForHelpers() {
    let finished = spin(budget: &callerSpinBudget, as: 0) { unfinished.load(ordering: .acquiring) == 0 }
    if finished { return }
    condition.lock()
    callerSleeping.store(true, ordering: .sequentiallyConsistent)
    while unfinished.load(ordering: .sequentiallyConsistent) > 0 { condition.wait() }
    callerSleeping.store(false, ordering: .relaxed)
    condition.unlock()
  }

  /// The next region after `seen` for helper `worker`, or nil once the pool is stopping.
  private func nextRegion(after seen: Int, as worker: Int, budget: inout UInt64) -> Int? {
    var current = seen
    let published = spin(budget: &budget, as: worker) {
      current = region.load(ordering: .acquiring)
      return current != seen || stopping.load(ordering: .relaxed)
    }
    if !published {
      helperCPUs[worker - 1].store(-1, ordering: .relaxed)
      condition.lock()
      sleepingHelpers.add(1, ordering: .sequentiallyConsistent)
      while true {
        current = region.load(ordering: .sequentiallyConsistent)
        if current != seen || stopping.load(ordering: .sequentiallyConsistent) { break }
        condition.wait()
      }
      sleepingHelpers.subtract(1, ordering: .relaxed)
      condition.unlock()
      leaveCallerCPU()
      reportCPU(of: worker)
    }
    return stopping.load(ordering: .relaxed) ? nil : current
  }

  /// Moves this helper, just woken, off the CPU the caller runs on (see the type's documentation).
  private func leaveCallerCPU() {
    let caller = callerCPU.load(ordering: .relaxed)
    guard placesThreads, caller >= 0, caller == Int(rescpu_current_cpu()) else { return }
    var excluded = Int32(caller)
    _ = rescpu_move_off_cpus(&excluded, 1)
  }

  /// Moves the caller off its CPU when one of the region's helpers reports running there, to a CPU none of
  /// them reports (see the type's documentation).
  private func leaveHelpersCPUs(count: Int) {
    let here = Int(rescpu_current_cpu())
    var shared = false
    for helper in 1..<count where helperCPUs[helper - 1].load(ordering: .relaxed) == here {
      shared = true
      break
    }
    guard shared else { return }
    var occupied = [Int32(here)]
    for helper in 1...helperCount {
      let cpu = helperCPUs[helper - 1].load(ordering: .relaxed)
      if cpu >= 0 { occupied.append(Int32(cpu)) }
    }
    _ = rescpu_move_off_cpus(occupied, Int32(occupied.count))
  }

  /// Records the CPU helper `worker` runs on for the caller's `leaveHelpersCPUs` (a store only when it changed,
  /// so the line the caller reads stays shared).
  @inline(__always)
  private func reportCPU(of worker: Int) {
    guard placesThreads else { return }
    let cpu = Int(rescpu_current_cpu())
    if helperCPUs[worker - 1].load(ordering: .relaxed) != cpu {
      helperCPUs[worker - 1].store(cpu, ordering: .relaxed)
    }
  }

  /// Runs the current region's body. The body is only referenced inside this call, so this thread holds
  /// no reference to it once it reports completion (`run` checks that the non-escaping body did not escape).
  @inline(never)
  private func perform(as worker: Int) {
    job?(worker)
  }

  private func serve(as worker: Int) {
    var seen = 0
    var budget = spinNanoseconds
    reportCPU(of: worker)
    while let current = nextRegion(after: seen, as: worker, budget: &budget) {
      seen = current
      guard worker < current % Self.regionStride, enter(sequence: current / Self.regionStride) else { continue }
      reportCPU(of: worker)
      perform(as: worker)
      if unfinished.subtract(1, ordering: .sequentiallyConsistent).newValue == 0,
        callerSleeping.load(ordering: .sequentiallyConsistent)
      {
        wakeAll()
      }
    }
    liveHelpers.subtract(1, ordering: .releasing)
  }
}
