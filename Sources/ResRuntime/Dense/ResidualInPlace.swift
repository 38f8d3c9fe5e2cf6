import ResPlan

/// How a convolution runs when its residual is its own output's bytes: the compiler gives Y the arena region
/// of a residual that dies at this step (an in-place epilogue), so the sum is stored over the residual it
/// read and the output never claims memory of its own (on ResNet's 56×56 bottlenecks that saves the stores'
/// reads for ownership of 3.2 MB per layer; `InPlaceEpilogues` in the compiler).
///
/// That is only correct when each output element is stored once, after its tile has read that element's
/// residual. A method that stores partial sums first (a reduction cut into blocks, a transform writing
/// through Y) would add a residual it had already overwritten, so for those the residual is copied into the
/// shared scratch before the step runs and read from there: a plan is always computed correctly, whichever
/// method this runtime chooses, and the compiler only asks for the in-place form where it predicts the direct
/// one (`ConvMethod.storesEachOutputOnce`: channels-last Winograd, and the GEMM of a short reduction).
enum ResidualInPlace: Sendable, Equatable {
  /// The method reads each residual element before storing the output over it: it runs on the shared bytes.
  case direct
  /// The residual is copied to the shared scratch, `offset` bytes in, before the method runs.
  case copied(offset: Int)

  /// nil when the residual is a buffer of its own (or there is none). Any other operand sharing Y's bytes is
  /// an invalid plan: the validator lets an operand through only when it covers exactly Y's bytes, and only
  /// the residual is read element for element as Y is written.
  static func placement(
    y: PlanBuffer, residual: PlanBuffer?, others: [PlanBuffer], storesEachOutputOnce: Bool, scratchOffset: Int,
    _ operands: StepOperands
  ) throws(RuntimeError) -> ResidualInPlace? {
    guard let output = y.arenaRange, !output.isEmpty else { return nil }
    for other in others {
      if let range = other.arenaRange, range.overlaps(output) {
        throw operands.failure("\(other.label) shares bytes with Y; only the residual may be Y's own bytes")
      }
    }
    guard let residual, let range = residual.arenaRange, range.overlaps(output) else { return nil }
    guard range == output else {
      throw operands.failure("the residual \(residual.label) overlaps Y without being Y's own bytes")
    }
    if storesEachOutputOnce { return .direct }
    let line = AlignedMemory.alignment
    return .copied(offset: try CheckedMath.add(scratchOffset, line - 1, "\(operands.site): scratch") / line * line)
  }

  /// The shared scratch the step needs, `methodBytes` being the method's own.
  func scratchBytes(after methodBytes: Int, output: PlanBuffer) -> Int {
    switch self {
    case .direct: methodBytes
    // The sum cannot overflow: the offset is at most a line past a size the method checked, and Y's bytes
    // lie inside the arena.
    case .copied(let offset): offset + output.byteCount
    }
  }

  /// Copies the residual to the scratch, when this placement reads it there.
  func prepare(_ context: RunContext, residual: PlanBuffer, count: Int) {
    guard let copy = copy(in: context, count: count) else { return }
    UnsafeMutablePointer(mutating: copy).update(from: context.floats(residual), count: count)
  }

  /// The residual's copy in the shared scratch, nil when it is read in place.
  func copy(in context: RunContext, count: Int) -> UnsafePointer<Float>? {
    guard case .copied(let offset) = self else { return nil }
    return UnsafePointer((context.sharedScratch + offset).bindMemory(to: Float.self, capacity: count))
  }
}

extension ConvOperator.Method {
  /// Whether the method stores each output element once, after reading its residual (`ResidualInPlace`):
  /// channels-last Winograd, whose output transform adds the residual tile by tile as it stores (products and
  /// transformed inputs live in scratch), and the channels-last GEMM over a reduction of one block.
  var storesEachOutputOnce: Bool {
    switch self {
    case .channelsLast(.winograd): true
    case .channelsLast(.gemm(let gemm)): gemm.storesEachOutputOnce
    case .channelsLast(.pointwise(let pointwise)): pointwise.storesEachOutputOnce
    default: false
    }
  }
}
