import ResCompiler
import ResRuntime

/// `rescompile inspect PLAN` as text: the header, the bindings, the memory, then one line per step with its
/// method (for a convolution) and the buffers it reads and writes.
enum PlanText {
  static func render(_ summary: ResRuntime.PlanSummary, path: String) -> String {
    let features = summary.requiredFeatures.isEmpty ? "none" : summary.requiredFeatures.joined(separator: ", ")
    var lines = [
      "plan: \(path)",
      "  format \(summary.formatVersion), produced by \(VisibleText.of(summary.producer)) from model "
        + "'\(VisibleText.of(summary.modelName))' (source fingerprint \(VisibleText.of(summary.sourceFingerprint)))",
      "  compiled with: \(VisibleText.of(summary.compileOptions))",
      "  required CPU features: \(features)",
      "  inputs: " + summary.inputs.map(\.description).joined(separator: ", "),
      "  outputs: " + summary.outputs.map(\.description).joined(separator: ", "),
      "  arena bytes: \(summary.arenaBytes) (\(ByteCount.render(summary.arenaBytes))), "
        + "\(summary.naiveArenaBytes) without reuse (\(ByteCount.render(summary.naiveArenaBytes)))",
      "  constant bytes: \(summary.constantBytes) (\(ByteCount.render(summary.constantBytes)))",
      "  steps: \(summary.steps.count), from \(summary.sourceNodeCount) model nodes",
    ]
    let width = String(max(summary.steps.count - 1, 0)).count
    lines += summary.steps.map { step in
      let index = String(repeating: " ", count: width - String(step.index).count) + String(step.index)
      let name = VisibleText.of(step.name)
      let method = step.method.map { " [\($0)]" } ?? ""
      return "    \(index) \(VisibleText.of(step.kernel))\(method) '\(name)': \(buffers(step.inputs)) -> "
        + buffers(step.outputs)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// `x f32[1,3,32,32], @w f32[16,3,3,3]`: constants marked with `@`, as in the IR's text form.
  private static func buffers(_ buffers: [BufferSummary]) -> String {
    guard !buffers.isEmpty else { return "()" }
    return buffers.map { buffer in
      let marker =
        switch buffer.storage {
        case .arena: ""
        case .constant: "@"
        }
      let shape = "[" + buffer.shape.map(String.init).joined(separator: ",") + "]"
      return "\(marker)\(VisibleText.of(buffer.name)) \(buffer.elementType.rawValue)\(shape)"
    }.joined(separator: ", ")
  }
}
