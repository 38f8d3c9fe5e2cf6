import Foundation
import ArgumentParser
import ResCompiler

/// `-O0|-O1|-O2`, `--passes`, `--disable-pass`: which optimizer passes run; `--row-major`: no channels-last
/// regions. Shared by every command that
/// compiles (`compile`, `run` and `check` on a model, `bench` on a model).
struct OptimizationArguments: ParsableArguments {
  @Option(
    name: .customShort("O", allowingJoined: true),
    help: ArgumentHelp(
      "Optimization level: 0 runs the model as imported, 1 exact cleanups, 2 (default) also folding and fusion.",
      valueName: "LEVEL"))
  var level: OptimizationLevel = .full

  @Option(
    help: ArgumentHelp(
      "Run exactly these passes, comma-separated, instead of the level's pipeline.", valueName: "PASS,..."))
  var passes: String?

  @Option(
    name: .customLong("disable-pass"),
    help: ArgumentHelp("Skip this pass or pattern (repeatable).", valueName: "PASS"))
  var disabledPasses: [String] = []

  @Flag(
    name: .customLong("row-major"),
    help: "Keep every activation in ONNX's row-major (NCHW) layout instead of computing chains of convolutions channels-last.")
  var rowMajor = false

  func validate() throws {
    let named = (passes.map(Self.split) ?? []) + disabledPasses
    if let unknown = named.first(where: { Pipeline.pass(named: $0) == nil }) {
      throw ValidationError(
        "unknown pass '\(unknown)'; passes are: " + Pipeline.allNames.joined(separator: ", "))
    }
  }

  /// The compile options these arguments select, with the given dimension bindings.
  func options(dimensionBindings: [String: Int] = [:]) -> CompileOptions {
    CompileOptions(
      dimensionBindings: dimensionBindings, optimization: level, passes: passes.map(Self.split),
      disabledPasses: Set(disabledPasses), channelsLast: !rowMajor)
  }

  private static func split(_ list: String) -> [String] {
    list.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }
}
