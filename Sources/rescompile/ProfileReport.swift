import Foundation
import ResRuntime

/// What `rescompile bench --profile` adds to the timing: the run's steps grouped by kernel, then the slowest
/// steps; in JSON (`profile` key) every step in plan order. Times are medians over the profiled runs;
/// percentages are shares of the sum of the step medians.
struct ProfileReport: Encodable {
  var profile: RunProfile
  /// How many of the slowest steps the text lists.
  var top: Int

  enum CodingKeys: String, CodingKey {
    case iterations
    case runMedian = "run_median_ms"
    case stepTotal = "step_total_ms"
    case kernels, steps
  }

  enum KernelKeys: String, CodingKey {
    case kernel, steps
    case milliseconds = "ms"
    case percent
    case gflops = "gflop_per_s"
  }

  enum StepKeys: String, CodingKey {
    case index, name, kernel, method
    case shape
    case medianMilliseconds = "median_ms"
    case percent
    case flops = "flop"
    case gflops = "gflop_per_s"
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(profile.iterations, forKey: .iterations)
    try container.encode(profile.runs.median, forKey: .runMedian)
    try container.encode(TimingStatistics.nanosecondPrecision(profile.stepMilliseconds), forKey: .stepTotal)
    var kernels = container.nestedUnkeyedContainer(forKey: .kernels)
    for kernel in profile.kernels {
      var entry = kernels.nestedContainer(keyedBy: KernelKeys.self)
      try entry.encode(kernel.kernel, forKey: .kernel)
      try entry.encode(kernel.stepCount, forKey: .steps)
      try entry.encode(TimingStatistics.nanosecondPrecision(kernel.milliseconds), forKey: .milliseconds)
      try entry.encode(Self.rounded(profile.percent(of: kernel.milliseconds)), forKey: .percent)
      try entry.encodeIfPresent(kernel.gigaflopsPerSecond.map(Self.rounded), forKey: .gflops)
    }
    var steps = container.nestedUnkeyedContainer(forKey: .steps)
    for step in profile.steps {
      var entry = steps.nestedContainer(keyedBy: StepKeys.self)
      try entry.encode(step.index, forKey: .index)
      try entry.encode(step.name, forKey: .name)
      try entry.encode(step.kernel, forKey: .kernel)
      try entry.encodeIfPresent(step.method, forKey: .method)
      try entry.encode(step.outputShape, forKey: .shape)
      try entry.encode(step.medianMilliseconds, forKey: .medianMilliseconds)
      try entry.encode(Self.rounded(profile.percent(of: step.medianMilliseconds)), forKey: .percent)
      try entry.encodeIfPresent(step.floatingPointOperations, forKey: .flops)
      try entry.encodeIfPresent(step.gigaflopsPerSecond.map(Self.rounded), forKey: .gflops)
    }
  }

  var text: String {
    var lines = [
      "profile: \(profile.iterations) run(s), median \(NumberText.milliseconds(profile.runs.median)) with the clock "
        + "read around every step; step medians sum to \(NumberText.milliseconds(profile.stepMilliseconds))",
      "",
      "  by kernel:",
    ]
    let kernelRows = profile.kernels.map { kernel in
      [
        VisibleText.of(kernel.kernel), "\(kernel.stepCount)", NumberText.milliseconds(kernel.milliseconds),
        Self.percentText(profile.percent(of: kernel.milliseconds)), Self.gigaflopsText(kernel.gigaflopsPerSecond),
      ]
    }
    lines += Self.table(header: ["kernel", "steps", "total", "%", "GFLOP/s"], rows: kernelRows)
    let slowest = profile.slowest(top)
    lines += ["", "  slowest \(slowest.count) of \(profile.steps.count) steps:"]
    let stepRows = slowest.map { step in
      [
        "\(step.index)", VisibleText.of(step.name), VisibleText.of(step.kernelAndMethod), "[" + step.outputShape.map(String.init).joined(separator: ",") + "]",
        NumberText.milliseconds(step.medianMilliseconds), Self.percentText(profile.percent(of: step.medianMilliseconds)),
        Self.gigaflopsText(step.gigaflopsPerSecond),
      ]
    }
    lines += Self.table(header: ["step", "name", "kernel", "shape", "median", "%", "GFLOP/s"], rows: stepRows)
    return lines.joined(separator: "\n") + "\n"
  }

  /// Left-aligned text columns, right-aligned number columns (all but the name, kernel and shape).
  private static func table(header: [String], rows: [[String]]) -> [String] {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    let leftAligned: Set<String> = ["name", "kernel", "shape"]
    return all.map { row in
      let cells = row.enumerated().map { column, cell in
        let padding = String(repeating: " ", count: widths[column] - cell.count)
        return leftAligned.contains(header[column]) ? cell + padding : padding + cell
      }
      return "    " + cells.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
  }

  private static func percentText(_ value: Double) -> String {
    String(format: "%.1f", value)
  }

  private static func gigaflopsText(_ value: Double?) -> String {
    value.map { String(format: "%.1f", $0) } ?? "-"
  }

  /// Two decimals: enough for a percentage or a GFLOP/s figure, and short in JSON.
  private static func rounded(_ value: Double) -> Double {
    (value * 100).rounded() / 100
  }
}
