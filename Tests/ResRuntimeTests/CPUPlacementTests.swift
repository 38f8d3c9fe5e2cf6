import ResCPU
import Testing

/// `rescpu_move_off_cpu`, which `WorkerPool` calls when a helper wakes on its caller's CPU.
@Suite struct CPUPlacementTests {
  /// Where the system says which CPU a thread runs on and allows another one, the thread moves off the CPU
  /// it names; its allowed set is unchanged, so it can move again (and back).
  @Test func aThreadMovesOffTheCPUItRunsOn() {
    let first = rescpu_current_cpu()
    guard first >= 0 else { return }
    let moved = rescpu_move_off_cpu(first)
    guard moved == 1 else { return }
    let second = rescpu_current_cpu()
    #expect(second != first)
    #expect(rescpu_move_off_cpu(second) == 1)
  }

  @Test func noCPUNamedNoMove() {
    #expect(rescpu_move_off_cpu(-1) == 0)
  }
}
