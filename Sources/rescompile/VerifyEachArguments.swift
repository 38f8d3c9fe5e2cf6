import ArgumentParser
import ResCompiler
import ResIR

/// `--verify-each [--rtol R] [--atol A]`: run the reference evaluator before the passes and after each one,
/// and fail when a pass moves an output beyond the tolerance.
struct VerifyEachArguments: ParsableArguments {
  @Flag(
    name: .customLong("verify-each"),
    help: ArgumentHelp(
      "Evaluate the model with the reference evaluator on seeded inputs before the passes and after each, print "
        + "each pass's drift from the unoptimized outputs, and fail naming the pass that exceeds the "
        + "tolerance. Slow on full-size models."))
  var enabled = false

  @Option(parsing: .unconditional, help: ArgumentHelp("Relative tolerance of --verify-each (default 1e-3; 1e-2 for a model with float16 values).", valueName: "R"))
  var rtol: Double?

  @Option(parsing: .unconditional, help: ArgumentHelp("Absolute tolerance of --verify-each (default 1e-4; 5e-2 for a model with float16 values).", valueName: "A"))
  var atol: Double?

  func validate() throws {
    if !enabled, rtol != nil || atol != nil {
      throw ValidationError("--rtol and --atol set the tolerance of --verify-each; add --verify-each")
    }
    for (name, value) in [("--rtol", rtol), ("--atol", atol)] {
      if let value, !(value >= 0 && value.isFinite) {
        throw ValidationError("\(name) must be a finite number of at least 0")
      }
    }
  }

  /// The tolerance for `graph`: what the user gave, the rest `OutputTolerance.defaults(for:)` (wider for a
  /// model that computes in float16).
  func tolerance(for graph: Graph) -> OutputTolerance {
    let defaults = OutputTolerance.defaults(for: graph)
    return OutputTolerance(rtol: rtol ?? defaults.rtol, atol: atol ?? defaults.atol)
  }
}
