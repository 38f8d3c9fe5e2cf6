/// A plan step made executable: built once when the plan is loaded (its operands validated, constants
/// prepacked, work split decided), then run any number of times, from many runners at once.
///
/// Layering (DESIGN.md §5): plan step → operator (shapes, validation, packing, threading) → microkernel in
/// ResKernels (inner loop on concrete pointers).
protocol Operator: Sendable {
  /// Scratch bytes each worker needs while this operator runs.
  var scratchBytesPerWorker: Int { get }

  /// Scratch bytes the operator needs once per run, whatever the number of workers.
  var sharedScratchBytes: Int { get }

  /// Executes the step. Only throws for values that can only be checked at run time (gather indices,
  /// sequence lengths).
  func run(_ context: RunContext) throws(RuntimeError)

  /// How this step is computed when its kernel has several ways (a convolution's method), for profiles; nil
  /// when there is one way.
  var methodLabel: String? { get }

  /// Whether the operator was built for (and checked) the channels-last operands it was given. False by
  /// default: an operator that never looks at layouts must never be handed a channels-last buffer, and the
  /// plan is refused when it is (`ChannelsLastOperands`).
  var readsChannelsLast: Bool { get }
}

extension Operator {
  var scratchBytesPerWorker: Int { 0 }
  var sharedScratchBytes: Int { 0 }
  var methodLabel: String? { nil }
  var readsChannelsLast: Bool { false }
}
