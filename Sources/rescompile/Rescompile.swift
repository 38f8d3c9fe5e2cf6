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

      The plan is written atomically (a temporary file, then a rename): on any error no plan is
      written and an existing one is left as it was. Errors are one line on stderr starting with
      'error:' that names the file, the node and the problem; the exit status is 1 for a bad model
      and 64 for bad usage.
      """,
    version: RescompileVersion.string,
    subcommands: [CompileCommand.self],
    defaultSubcommand: CompileCommand.self
  )
}
