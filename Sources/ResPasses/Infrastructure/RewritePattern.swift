import ResIR

/// A local rewrite: look at one node and its neighbourhood, decide, then rewrite (after MLIR's patterns).
///
/// `match` is pure: it inspects the graph through a `GraphView` and returns `.notApplicable` when the node is
/// not the kind this pattern looks at, `.declined(reason)` when it is a candidate but a guard fails — each guard
/// one line, its reason the text `--explain` shows ("conv output has 2 consumers") — or `.matched` with
/// everything `rewrite` needs. `rewrite` cannot fail: every check belongs in `match`.
public protocol RewritePattern: Sendable {
  associatedtype Match
  /// The name `--stats`, `--explain` and `--disable-pass` use: lowercase with dashes.
  var name: String { get }
  func match(_ node: Node, in view: GraphView) -> MatchResult<Match>
  func rewrite(_ match: Match, in graph: inout Graph)
}

/// The outcome of `RewritePattern.match`.
public enum MatchResult<Match> {
  /// The node is not something this pattern considers (a Relu, for a BatchNorm folder): nothing to explain.
  case notApplicable
  /// A candidate the pattern rejects, with the reason (`--explain` prints it).
  case declined(String)
  case matched(Match)
}
