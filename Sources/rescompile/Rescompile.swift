import ArgumentParser
import ResCompiler

/// The `rescompile` command. Compiling is the default subcommand, so `rescompile model.onnx` compiles.
@main
struct Rescompile: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rescompile",
    abstract: "Compile ONNX residual networks into fused kernel plans.",
    discussion: """
      Examples:
        rescompile model.onnx                                 compile to model.resplan and summarize
        rescompile model.onnx -o /tmp/model.resplan           choose where the plan goes
        rescompile dynamic.onnx --dim batch=8                 give a symbolic input dimension its value
        rescompile model.onnx --dump imported                 print the imported IR (text form)
        rescompile model.onnx --dump imported --dump-format json > graph.json
        rescompile model.onnx --dump imported --dump-format dot | dot -Tsvg > graph.svg
        rescompile model.onnx --dump plan                     list the plan's buffers and steps
        rescompile model.onnx --stats                         timings and peak memory
        rescompile run model.resplan --inputs test_data_set_0 --outputs out
        rescompile run model.onnx -i input=image.npy          compile in memory, run, print the outputs
        rescompile check model.onnx                           compare with the test_data_set_N next to the model
        rescompile inspect model.resplan --format json        the plan's steps, arena and constant bytes
        rescompile bench model.resplan --threads 2            time runs on seeded inputs

      Each subcommand has its own examples: rescompile help run (check, inspect, bench).

      The plan is written atomically (a temporary file, then a rename): on any error no plan is
      written and an existing one is left as it was. Errors are one line on stderr starting with
      'error:' that names the file, the node and the problem; the exit status is 1 for a bad model
      and 64 for bad usage (check exits 2 when an output differs from the reference).
      """,
    version: RescompileVersion.string,
    subcommands: [
      CompileCommand.self, RunCommand.self, CheckCommand.self, InspectCommand.self, BenchCommand.self,
    ],
    defaultSubcommand: CompileCommand.self
  )

  /// Runs the command line, with usage errors (a missing argument, an unknown option, a value out of range)
  /// held to the same contract as every other error: one `error:` line on stderr, here with status 64. The
  /// argument parser's own report is a capitalized `Error:` followed by the whole usage text.
  static func main() {
    let command: ParsableCommand
    do {
      command = try parseAsRoot()
    } catch {
      exitForUsage(error)
    }
    do {
      var runnable = command
      try runnable.run()
    } catch {
      exitForUsage(error)
    }
  }

  /// Exits for `error`: a usage error as one line, anything else (help, version, an exit status a command
  /// chose) as the argument parser does.
  private static func exitForUsage(_ error: Error) -> Never {
    guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
    let message = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    OutputStream.standardError.write("error: \(message) (rescompile help lists the options)\n")
    exit(withError: ExitCode.validationFailure)
  }
}
