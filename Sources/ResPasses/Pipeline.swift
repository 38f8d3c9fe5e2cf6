import ResIR

/// The optimization pipeline: a literal list, in order, each entry with the reason it is there and where.
///
/// Pass names are the command line's (`--passes`, `--disable-pass`, `--print-after`). Every pattern is also
/// available as a pass of its own name, so `--passes eliminate-identity` runs just that pattern.
public enum Pipeline {
  public struct Entry: Sendable {
    public let pass: any GraphPass
    /// The lowest level that runs it.
    public let level: OptimizationLevel
    /// Why it is in the pipeline, and why at this position.
    public let reason: String
  }

  public static let entries: [Entry] = [
    Entry(
      pass: PatternPass(name: "canonicalize", patterns: [EliminateIdentity()]), level: .basic,
      reason: "first: connects producers to consumers directly, so every later pattern sees the real graph"),
    Entry(
      pass: PatternPass(name: "batchnorm-folding", patterns: [FoldBatchNorm()]), level: .full,
      reason: "after canonicalization, so each BatchNormalization sees its producing Conv/Gemm/MatMul directly; "
        + "before epilogue fusion, which needs the producer's result to be linear and to feed the "
        + "activation or residual Add directly, with no BatchNormalization in between"),
    Entry(
      pass: DeadCodeElimination(), level: .basic,
      reason: "last: removes what the rewrites above left unused"),
  ]

  /// The passes `level` runs, in pipeline order.
  public static func passes(for level: OptimizationLevel) -> [any GraphPass] {
    entries.filter { $0.level <= level }.map(\.pass)
  }

  /// Every pattern, for running one alone by name.
  static let patterns: [any RewritePattern] = [EliminateIdentity(), FoldBatchNorm()]

  /// The pass called `name`: a pipeline pass, or a single pattern wrapped as a pass.
  public static func pass(named name: String) -> (any GraphPass)? {
    if let entry = entries.first(where: { $0.pass.name == name }) { return entry.pass }
    if let pattern = patterns.first(where: { $0.name == name }) {
      return PatternPass(name: name, patterns: [pattern])
    }
    return nil
  }

  /// Every name `pass(named:)` accepts, sorted (for error messages and `--help`).
  public static var allNames: [String] {
    (entries.map(\.pass.name) + patterns.map(\.name)).sorted()
  }
}
