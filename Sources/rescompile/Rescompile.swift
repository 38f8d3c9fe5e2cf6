import ArgumentParser

/// The `rescompile` command. Compiling is the default subcommand, so `rescompile model.onnx` compiles.
@main
struct Rescompile: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rescompile",
    abstract: "Compile ONNX residual networks into fused kernel plans.",
    discussion: """
      Examples:
        rescompile model.onnx                                 import, verify and summarize
        rescompile model.onnx --dump imported                 print the imported IR (text form)
        rescompile model.onnx --dump imported --dump-format json > graph.json
        rescompile model.onnx --dump imported --dump-format dot | dot -Tsvg > graph.svg
        rescompile model.onnx --stats                         timings and peak memory

      Errors are one line on stderr starting with 'error:' that names the file, the node and the
      problem; the exit status is 1 for a bad model and 64 for bad usage.
      """,
    version: RescompileVersion.string,
    subcommands: [CompileCommand.self],
    defaultSubcommand: CompileCommand.self
  )
}

/// The version printed by `--version` and recorded in plans.
enum RescompileVersion {
  static let string = "0.1.0"
}
