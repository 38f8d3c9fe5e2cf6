import Foundation
import ArgumentParser
import ResCompiler

/// `-O0|-O1|-O2`, `--passes`, `--disable-pass`: which optimizer passes run; `--layout`: where activations are
/// channels-last; `--winograd-tile`: the Winograd tile of 3x3 convolutions; `--float16-compute`: whether float16
/// values are rounded after every op. Shared by every command that
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

  @Option(
    help: ArgumentHelp(
      "Where activations are stored channels-last (NHWC): auto (chains of convolutions that pay for their "
        + "reorders), row-major (nowhere), channels-last (every region with a convolution).",
      valueName: "auto|row-major|channels-last"))
  var layout: ActivationLayoutPolicy = .automatic

  @Option(
    name: .customLong("winograd-tile"),
    help: ArgumentHelp(
      "Output tile of Winograd 3x3 convolutions: auto (at stride 1 4x4 on outputs of at least 12x12, else 2x2; "
        + "at stride 2 the tile of fewer products), 2 (about two thirds of the rounding error of 4, a little "
        + "slower), 4.",
      valueName: "auto|2|4"))
  var winogradTile: WinogradTilePolicy = .automatic

  @Option(
    name: .customLong("winograd-reach"),
    help: ArgumentHelp(
      "Which 3x3 convolutions run as Winograd where the faster method depends on the machine (stride 2, and "
        + "small planes of many channels): broad (Winograd there: AMD, AVX2), narrow (the GEMM there: Intel "
        + "with AVX-512). Default: the machine compiling. The plan's weights record it; any machine runs it.",
      valueName: "broad|narrow"))
  var winogradReach: WinogradReach?

  @Option(
    name: .customLong("float16-compute"),
    help: ArgumentHelp(
      "How float16 models compute: float32 (default: values kept in float32 between ops, as onnxruntime and "
        + "OpenVINO do on a CPU; as fast as the float32 model), float16 (every op's result rounded to float16, as "
        + "ONNX's types specify).",
      valueName: "float32|float16"))
  var float16Compute: Float16Compute = .float32

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
      disabledPasses: Set(disabledPasses), activationLayout: layout, winogradTile: winogradTile,
      winogradReach: winogradReach, float16Compute: float16Compute)
  }

  private static func split(_ list: String) -> [String] {
    list.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }
}
