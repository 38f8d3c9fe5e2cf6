import ResPlan

/// A plan made executable: validated buffers, one operator per step, the named inputs and outputs, and the
/// memory a runner needs. Immutable once built and shared by every runner of the plan.
struct Program: Sendable {
  struct Step: Sendable {
    let site: StepSite
    let kernel: KernelID
    let inputs: [PlanBuffer]
    let outputs: [PlanBuffer]
    let operation: any Operator
    /// False when every output is empty: then there is nothing to compute, and the step is skipped (so no
    /// operator ever runs on a zero-size output).
    let hasWork: Bool
  }

  struct Binding: Sendable {
    let name: String
    let buffer: PlanBuffer
  }

  let buffers: [PlanBuffer]
  let steps: [Step]
  let inputs: [Binding]
  let outputs: [Binding]
  let arenaBytes: Int
  /// The largest per-worker and shared scratch any operator asked for.
  let scratchBytesPerWorker: Int
  let sharedScratchBytes: Int
  let inPlace: InPlaceBindings
}
