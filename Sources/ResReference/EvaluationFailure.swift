/// A problem found while computing one node: the kernels throw it with the problem alone, and the evaluator
/// turns it into a `ModelError` naming the node, so no kernel needs to know which node it is running.
struct EvaluationFailure: Error, Sendable {
  var message: String

  init(_ message: String) {
    self.message = message
  }
}
