/// `-O0`, `-O1`, `-O2`: how much the optimizer does (Pipeline.swift lists what each level runs and why).
public enum OptimizationLevel: Int, CaseIterable, Sendable, Comparable {
  /// No passes: the plan runs the model as imported. The baseline every optimization is checked against.
  case none = 0
  /// Exact cleanups that only remove work: identities, constant folding, common subexpressions, dead code.
  /// Folding changes no result: the code generator folds the same nodes with the same evaluator even at -O0.
  case basic = 1
  /// Everything: also fusion.
  case full = 2

  public static func < (a: OptimizationLevel, b: OptimizationLevel) -> Bool { a.rawValue < b.rawValue }
}
