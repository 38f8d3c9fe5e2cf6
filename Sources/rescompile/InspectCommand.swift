import ArgumentParser
import ResCompiler
import ResRuntime

/// `rescompile inspect PLAN [--format text|json]`: what a plan holds, loaded and validated by the runtime
/// exactly as a run would load it (CPU features aside: a plan for another CPU can still be inspected), and with
/// `--verify` the constant section's checksum as well.
struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Show a plan's inputs, outputs, memory and steps.",
    discussion: """
      Examples:
        # Header, inputs and outputs, arena and constant bytes, every step
        rescompile inspect model.resplan
        # The same as JSON: steps (each with kernel, inputs, outputs),
        # arena_bytes, constant_bytes, inputs, outputs, compile_options...
        rescompile inspect model.resplan --format json
        # Also check the constant section's checksum (reads every weight;
        # a load checks the header, the metadata and every offset, not the weights)
        rescompile inspect model.resplan --verify
      """
  )

  @Argument(help: "The plan to inspect.")
  var plan: String

  @Option(help: "text for people, json for scripts.")
  var format: ReportFormat = .text

  @Flag(help: "Also verify the constant section's checksum (every weight is read).")
  var verify = false

  func run() throws {
    let loaded: Plan
    do {
      loaded = try Plan(contentsOf: plan, checkCPUFeatures: false, verifyConstants: verify)
    } catch {
      let hint =
        error.kind == .invalidPlan && !RunnableFile.isPlanFile(plan)
        ? " (to compile a model into a plan: rescompile MODEL.onnx -o PLAN)" : ""
      Diagnostics.fail("\(plan): \(error)\(hint)")
    }
    switch format {
    case .text: OutputStream.standardOutput.write(PlanText.render(loaded.summary, path: plan))
    case .json: OutputStream.standardOutput.write(try JSONText.render(loaded.summary))
    }
  }
}
