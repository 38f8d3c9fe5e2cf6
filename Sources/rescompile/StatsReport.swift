import ResCompiler

/// The optimizer part of `--stats`: per pass (rewrites applied and declined, nodes before and after, time),
/// per pattern, and the op mix before and after the passes.
enum StatsReport {
  static func render(_ statistics: OptimizationStatistics) -> String {
    var lines = [
      "  passes: \(statistics.passes.count) ran, \(statistics.totalApplied) rewrites, "
        + Milliseconds.render(statistics.totalDuration)
    ]
    let nameWidth = max(4, statistics.passes.map { "\($0.index) \($0.name)".count }.max() ?? 0)
    for pass in statistics.passes {
      lines.append(
        "    \(TextColumn.left("\(pass.index) \(pass.name)", width: nameWidth))  "
          + "\(TextColumn.right(String(pass.applied), width: 5)) applied  "
          + "\(TextColumn.right(String(pass.declined), width: 5)) declined  "
          + "nodes \(TextColumn.right(String(pass.nodesBefore), width: 5)) → "
          + "\(TextColumn.left(String(pass.nodesAfter), width: 5))  \(Milliseconds.render(pass.duration))")
    }
    lines.append("  patterns:")
    let patternWidth = statistics.patterns.map(\.pattern.count).max() ?? 0
    for pattern in statistics.patterns {
      lines.append(
        "    \(TextColumn.left(pattern.pattern, width: patternWidth))  "
          + "\(TextColumn.right(String(pattern.applied), width: 5)) applied  "
          + "\(TextColumn.right(String(pattern.declined), width: 5)) declined")
    }
    lines.append("  ops (imported → optimized):")
    let opWidth = statistics.ops.map(\.op.count).max() ?? 0
    for op in statistics.ops {
      lines.append(
        "    \(TextColumn.left(op.op, width: opWidth))  "
          + "\(TextColumn.right(String(op.before), width: 5)) → \(op.after)")
    }
    return lines.joined(separator: "\n") + "\n\n"
  }
}
