import ArgumentParser
import ResCompiler

extension ExplainFormat: ExpressibleByArgument {}

/// `--explain [--explain-format text|json]`: every candidate the optimizer considered and why it declined.
struct ExplainArguments: ParsableArguments {
  @Flag(
    name: .customLong("explain"),
    help: "Print every rewrite candidate, pass by pass: pattern, node, applied or declined, and the reason.")
  var enabled = false

  @Option(
    name: .customLong("explain-format"),
    help: ArgumentHelp("Format of --explain: text (default) or json; implies --explain.", valueName: "FORMAT"))
  var format: ExplainFormat?

  /// The report's format, or nil when it was not asked for.
  var requestedFormat: ExplainFormat? { enabled || format != nil ? format ?? .text : nil }
}
