import ResCPU
import Testing

/// `rescpu_move_off_cpus`, which `WorkerPool` calls when two of its threads run on one CPU.
@Suite struct CPUPlacementTests {
  /// Where the system says which CPU a thread runs on and allows another one, the thread moves off the CPU
  /// it names; its allowed set is unchanged, so it can move again (and back).
  @Test func aThreadMovesOffTheCPUItRunsOn() {
    var first = rescpu_current_cpu()
    guard first >= 0, rescpu_allowed_cpu_count() >= 2 else { return }
    let before = rescpu_allowed_cpu_count()
    #expect(rescpu_move_off_cpus(&first, 1) == 1)
    var second = rescpu_current_cpu()
    #expect(second != first)
    #expect(rescpu_allowed_cpu_count() == before)
    #expect(rescpu_move_off_cpus(&second, 1) == 1)
    #expect(rescpu_current_cpu() != second)
  }

  /// A list that leaves no allowed CPU, or names none of them, moves nothing.
  @Test func noOtherCPUNoMove() {
    let count = rescpu_allowed_cpu_count()
    guard count >= 1, count < 64 else { return }
    var every = (0..<Int32(1024)).map { $0 }
    #expect(rescpu_move_off_cpus(&every, Int32(every.count)) == 0)
    var none: [Int32] = [-1]
    #expect(rescpu_move_off_cpus(&none, 1) == 0)
    #expect(rescpu_allowed_cpu_count() == count)
  }
}
