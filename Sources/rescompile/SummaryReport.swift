import ResCompiler

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The human-readable summary `rescompile MODEL.onnx` prints.
enum SummaryReport {
  /// How long each phase took.
  struct Timings {
    var importTime: Duration = .zero
    /// The passes, with what `--print-after` and `--verify-each` did between them.
    var optimizeTime: Duration = .zero
    var compileTime: Duration = .zero
    var writeTime: Duration = .zero

    var total: Duration { importTime + optimizeTime + compileTime + writeTime }
  }

  static func render(_ loaded: LoadedModel, _ summary: GraphSummary) -> String {
    let meta = loaded.metadata
    return """
      \(loaded.path): ONNX IR version \(meta.irVersion), opset \(meta.opsetVersion), from \(meta.producer)
        nodes: \(summary.nodeCount)  \(summary.opCountsLine)
        constants: \(summary.constantCount) (\(ByteCount.render(summary.constantBytes)))
        inputs: \(summary.inputs.joined(separator: ", "))
        outputs: \(summary.outputs.joined(separator: ", "))
      \(renderList("model changes", loaded.modelChanges))\(renderList("control flow", loaded.controlFlow))\
      \(renderList("ignored declarations", loaded.ignoredDeclarations))
      """
  }

  /// `  <title>: N` and one indented line per entry, nothing when there are none. The import reports three
  /// such lists: model changes (the plan is not the model as written: a projection `--residual-mismatch`
  /// inserted), control flow (each Loop unrolled and If resolved: the plan is specialized to what was known
  /// when compiling) and ignored declarations (value_info that contradicted the ops: the file is wrong).
  static func renderList(_ title: String, _ lines: [String]) -> String {
    guard !lines.isEmpty else { return "" }
    return (["  \(title): \(lines.count)"] + lines.map { "    \($0)" }).joined(separator: "\n") + "\n"
  }

  /// What the optimizer did, in one line, and every change it made to the model's meaning (the user must
  /// hear about those: the plan no longer computes exactly what the file says).
  static func render(optimized: OptimizedModel) -> String {
    let rewrites = optimized.passRuns.reduce(0) { $0 + $1.appliedCount }
    let counts = GraphSummary(optimized.graph).opCountsLine
    var lines = [
      optimized.passRuns.isEmpty
        ? "  optimized: no passes ran"
        : "  optimized: \(optimized.passRuns.count) passes, \(rewrites) rewrites, nodes "
          + "\(optimized.imported.nodes.count) → \(optimized.graph.nodes.count)  \(counts)"
    ]
    lines += optimized.passRuns.flatMap(\.modelChanges).map { "  model change: \($0)" }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The plan part: ops in, steps out, constant and arena bytes (planned and naive, and how many step outputs
  /// overwrite a dying input), Concat bytes copied and computed in place (for models with a Concat), time.
  static func render(plan: PlanSummary, path: String, timings: Timings) -> String {
    let folded = plan.foldedNodeCount > 0 ? " (\(plan.foldedNodeCount) evaluated when compiling)" : ""
    let constants = "\(plan.constantBytes) (\(ByteCount.render(plan.constantBytes)), \(plan.constantCount) constants)"
    let planned = "\(plan.arenaBytes) planned (\(ByteCount.render(plan.arenaBytes)))"
    let naive = "\(plan.naiveArenaBytes) naive (\(ByteCount.render(plan.naiveArenaBytes)))"
    let inPlace = plan.inPlaceOutputCount == 0 ? "" : "; \(plan.inPlaceOutputCount) step outputs in place"
    let concat =
      plan.concatCopiedBytes + plan.concatAliasedBytes == 0
      ? ""
      : "\n    concat bytes: \(plan.concatCopiedBytes) copied, \(plan.concatAliasedBytes) computed in place"
    return """
        plan: \(path) (\(ByteCount.render(plan.fileBytes)))
          ops in: \(plan.sourceNodeCount)\(folded), steps out: \(plan.stepCount)  \(plan.kernelCountsLine)
          constant bytes: \(constants)
          arena bytes: \(planned), \(naive)\(inPlace)\(concat)
          time: \(Milliseconds.render(timings.total))

      """
  }

  static func renderStats(_ timings: Timings) -> String {
    """
      import + verify: \(Milliseconds.render(timings.importTime))
      optimize: \(Milliseconds.render(timings.optimizeTime))
      generate plan: \(Milliseconds.render(timings.compileTime))
      write: \(Milliseconds.render(timings.writeTime))
      peak resident memory: \(ByteCount.render(peakResidentBytes()))

    """
  }

  /// The process's peak resident set size, from getrusage (Linux reports kilobytes, Darwin bytes).
  private static func peakResidentBytes() -> Int {
    var usage = rusage()
    #if canImport(Darwin)
      getrusage(RUSAGE_SELF, &usage)
      return Int(usage.ru_maxrss)
    #else
      getrusage(RUSAGE_SELF.rawValue, &usage)
      return Int(usage.ru_maxrss) * 1024
    #endif
  }
}

/// `97.5 MB`-style sizes (decimal units, one decimal place).
enum ByteCount {
  static func render(_ bytes: Int) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1000, unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    return unit == 0 ? "\(bytes) B" : "\(Decimal1.render(value)) \(units[unit])"
  }
}

/// `12.3 ms`.
enum Milliseconds {
  static func render(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let ms = Double(seconds) * 1000 + Double(attoseconds) / 1e15
    return "\(Decimal1.render(ms)) ms"
  }
}

/// One digit after the point, without Foundation's locale-dependent formatting.
enum Decimal1 {
  static func render(_ value: Double) -> String {
    let tenths = (value * 10).rounded()
    let whole = Int(tenths / 10)
    let fraction = Int(abs(tenths).truncatingRemainder(dividingBy: 10))
    return "\(whole).\(fraction)"
  }
}
