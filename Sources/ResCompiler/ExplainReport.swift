/// `--explain`: every candidate the optimizer considered, in pipeline order, with what happened to it: the
/// pattern, the node, applied or declined, and the guard's reason for a decline ("conv output has 2
/// consumers"). Users of peer compilers ask why a fusion did not happen; this answers it.
///
/// Both forms are deterministic (no times, no dictionary order): the same model and options give the same
/// bytes, so two runs can be diffed.
///
/// Text:
/// ```
/// pass 5/8 batchnorm-folding: 9 applied, 0 declined
///   applied   fold-batchnorm  '/stem/stem.0/stem.0.1/BatchNormalization'
/// pass 7/8 fuse-epilogue: 19 applied, 2 declined
///   declined  fuse-activation  '/head/Relu': the producer is not a Conv, Gemm or MatMul
/// ```
/// JSON: `{"passes": [{index, name, applied, declined}], "decisions": [{pass_index, pass, pattern, node,
/// outcome, reason | detail}], "model_changes": [...]}`, where `reason` says why a candidate was declined and
/// `detail` (present when the pass gave one) what an applied rewrite did.
public enum ExplainReport {
  public static func render(_ model: OptimizedModel, as format: ExplainFormat) -> String {
    switch format {
    case .text: text(model.passRuns, modelChanges: model.modelChanges)
    case .json: json(model.passRuns, modelChanges: model.modelChanges)
    }
  }

  static func text(_ runs: [PassRun], modelChanges: [String]) -> String {
    var lines: [String] = []
    if runs.isEmpty { lines.append("no passes ran") }
    for run in runs {
      lines.append(
        "pass \(run.index)/\(run.passCount) \(run.name): \(run.appliedCount) applied, \(run.declinedCount) declined")
      lines += run.decisions.map(line)
    }
    lines += modelChanges.map { "model change: \($0)" }
    return lines.joined(separator: "\n") + "\n"
  }

  /// `  declined  fuse-residual-add  '/blocks/blocks.0/Add': conv output has 2 consumers`.
  private static func line(_ decision: Decision) -> String {
    let outcome = TextColumn.left(decision.outcome.rawValue, width: 8)
    let detail = decision.detail.isEmpty ? "" : ": \(decision.detail)"
    return "  \(outcome)  \(decision.pattern)  '\(decision.node)'\(detail)"
  }

  static func json(_ runs: [PassRun], modelChanges: [String]) -> String {
    let passes = runs.map { run in
      JSONValue.object([
        .init("index", .int(run.index)), .init("name", .string(run.name)),
        .init("applied", .int(run.appliedCount)), .init("declined", .int(run.declinedCount)),
      ])
    }
    let decisions = runs.flatMap { run in run.decisions.map { json($0, of: run) } }
    return JSONValue.object([
      .init("passes", .array(passes)),
      .init("decisions", .array(decisions)),
      .init("model_changes", .array(modelChanges.map(JSONValue.string))),
    ]).rendered()
  }

  private static func json(_ decision: Decision, of run: PassRun) -> JSONValue {
    var members: [JSONValue.Member] = [
      .init("pass_index", .int(run.index)), .init("pass", .string(run.name)),
      .init("pattern", .string(decision.pattern)), .init("node", .string(decision.node)),
      .init("outcome", .string(decision.outcome.rawValue)),
    ]
    switch decision.outcome {
    case .declined: members.append(.init("reason", .string(decision.detail)))
    case .applied where !decision.detail.isEmpty: members.append(.init("detail", .string(decision.detail)))
    case .applied: break
    }
    return .object(members)
  }
}
