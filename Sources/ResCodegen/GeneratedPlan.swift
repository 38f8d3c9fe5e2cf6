import ResPlan

/// A compiled plan: the bytes of a `.resplan` file and what they contain.
public struct GeneratedPlan: Sendable {
  /// The whole plan file (schemas/PLAN-FORMAT.md).
  public let bytes: [UInt8]
  public let summary: PlanSummary
  /// The metadata section as encoded in `bytes`.
  package let metadata: Rescompile_Plan_PlanMetadata
  /// The memory planner's input and result, for checking the arena invariant.
  package let arena: ArenaLayout
  /// Which Concat operands are computed in place and which are copied, and why.
  package let concats: ConcatReport

  /// A text listing of the plan: bindings, buffers with their storage, steps with their parameters, and what
  /// became of each Concat operand (`rescompile MODEL.onnx --dump plan`).
  public func listing() -> String {
    PlanListing.render(metadata, concats: concats)
  }
}
