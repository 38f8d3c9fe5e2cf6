import ArgumentParser

/// `--print-after-all`, `--print-after PASS`: the IR after optimizer passes, as LLVM's `opt` prints it.
struct PrintAfterArguments: ParsableArguments {
  @Flag(name: .customLong("print-after-all"), help: "Print the IR (text form) after every pass.")
  var all = false

  @Option(
    name: .customLong("print-after"),
    help: ArgumentHelp("Print the IR (text form) after this pass (repeatable).", valueName: "PASS"))
  var passes: [String] = []

  var isEnabled: Bool { all || !passes.isEmpty }

  /// Whether the IR after `pass` is wanted.
  func wants(_ pass: String) -> Bool { all || passes.contains(pass) }

  /// Checks every `--print-after` name against the passes that will run (a typo would print nothing).
  func validate(against running: [String]) throws {
    if let missing = passes.first(where: { !running.contains($0) }) {
      let list = running.isEmpty ? "no passes run" : "the passes that run are: " + running.joined(separator: ", ")
      throw ValidationError("--print-after \(missing): no such pass runs; \(list)")
    }
  }
}
