import ResIR

/// A transformation of a whole graph: constant folding, dead code elimination, projection insertion... — the
/// passes that need to see everything at once. Local rewrites are `RewritePattern`s run by a `PatternPass`.
///
/// A pass never leaves a graph the verifier would reject; it records what it did (and, for `--explain`, what
/// it considered and why it declined) in the context.
public protocol GraphPass: Sendable {
  /// The name the command line uses (`--passes`, `--disable-pass`, `--print-after`): lowercase with dashes.
  var name: String { get }
  func run(on graph: inout Graph, context: inout PassContext) throws(ModelError)
}
