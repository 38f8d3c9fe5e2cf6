/// What one pass of the optimizer did: the unit `--print-after`, `--verify-each`, `--stats` and `--explain`
/// report on.
///
/// Runs are numbered by their position in the resolved pass list (1-based), whether or not an earlier pass
/// was disabled, so `--dump-dir` file names and explain lines stay the same when the user switches a pass off.
public struct PassRun: Sendable, Hashable {
  /// Position in the pass list, from 1.
  public var index: Int
  /// How many passes the list holds (for `pass 3 of 8`, and the width of zero-padded indices).
  public var passCount: Int
  /// The command-line name of the pass.
  public var name: String
  /// What its patterns applied and declined, in the order they were recorded.
  public var decisions: [Decision]
  /// Changes to the model's meaning this pass made (an inserted projection).
  public var modelChanges: [String]
  /// Nodes in the graph before and after the pass.
  public var nodesBefore: Int
  public var nodesAfter: Int
  /// Wall-clock time of the pass (printed by `--stats` only: it is the one thing that varies between runs).
  public var duration: Duration

  /// How many rewrites the pass applied.
  public var appliedCount: Int { decisions.count { $0.outcome == .applied } }
  /// How many candidates it declined.
  public var declinedCount: Int { decisions.count { $0.outcome == .declined } }

  /// `05`: the index zero-padded to the width of the pass count (at least two digits), so file names sort in
  /// pipeline order.
  public var paddedIndex: String {
    let width = max(2, String(passCount).count)
    let digits = String(index)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}
