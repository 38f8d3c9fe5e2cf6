/// Why a fold does not apply: the one-line reason `--explain` shows.
///
/// Thrown (with typed throws) by the steps of a pattern's `match`, so that each step can state its guards one
/// per line and the pattern turns the first failure into `MatchResult.declined`.
struct FoldDecline: Error {
  let reason: String

  init(_ reason: String) {
    self.reason = reason
  }
}
